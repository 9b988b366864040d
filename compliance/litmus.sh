#!/bin/bash
# compliance/litmus.sh — runs the litmus WebDAV suite (Debian package
# `litmus`, 0.13) against a real veildav on 127.0.0.1 with a fresh data
# directory, and prints a per-group table and, as its last line,
#     litmus: N passed, M failed
#
# The server binary comes from $VEILDAV, else build/veildav.  litmus works in
# the test user's plain WebDAV space, /files/<principal-id>/.
# Environment: VEILDAV, TESTS (groups; default "basic copymove props locks http"),
# LITMUS_KEEP=1 keeps the work directory (server log, litmus debug.log).
# Exit status: 0 when nothing failed.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$HERE")
BIN=${VEILDAV:-$TOP/build/veildav}
GROUPS_TO_RUN=${TESTS:-"basic copymove props locks http"}
command -v litmus >/dev/null || { echo "litmus.sh: litmus is not installed (apt-get install litmus)" >&2; exit 2; }
[ -x "$BIN" ] || { echo "litmus.sh: no veildav binary at $BIN (build first or set VEILDAV)" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/veil-litmus.XXXXXX")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DATA="$WORK/data"
cleanup() {
    [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    if [ -z "${LITMUS_KEEP:-}" ]; then rm -rf "$WORK"; else echo "# work directory kept: $WORK"; fi
}
trap cleanup EXIT

"$BIN" --data "$DATA" init --listen "127.0.0.1:$PORT" 2>/dev/null || exit 2
"$BIN" --data "$DATA" user add litmus --display-name "Litmus" >/dev/null 2>&1 || exit 2
PASS=$("$BIN" --data "$DATA" app-password create --user litmus --name litmus 2>/dev/null) || exit 2
PRINCIPAL=$("$BIN" --data "$DATA" user show litmus 2>/dev/null | head -n1)
PID_SEG=$(basename "$PRINCIPAL")
"$BIN" --data "$DATA" serve >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.1
done
URL="http://127.0.0.1:$PORT/files/$PID_SEG/"
echo "# litmus $(litmus --version 2>/dev/null | awk '{print $2}') against veildav at /files/<pid>/; groups: $GROUPS_TO_RUN"
( cd "$WORK" && TESTS="$GROUPS_TO_RUN" timeout 600 litmus -k "$URL" litmus "$PASS" ) >"$WORK/litmus.out" 2>&1

# litmus redraws lines with \r; the text after the last \r of a line is final.
tr '\r' '\n' <"$WORK/litmus.out" | awk -v groups="$GROUPS_TO_RUN" '
    /^-> running `/ { g = $0; sub(/^-> running `/, "", g); sub(/'"'"'.*$/, "", g); cur = g; next }
    /^ *[0-9]+\. .*(FAIL|FAILED)/ { fails = fails "FAIL " cur ":" $0 "\n" }
    /WARNING:/ { warns = warns "WARNING " cur ":" $0 "\n" }
    /tests? (was|were) skipped/ { match($0, /[0-9]+/); skipped[cur] += substr($0, RSTART, RLENGTH) }
    /^<- summary for `/ {
        g = $0; sub(/^<- summary for `/, "", g); sub(/'"'"'.*$/, "", g)
        # e.g. summary for props: of 30 tests run: 29 passed, 1 failed. 96.7%
        match($0, /[0-9]+ passed/); p = substr($0, RSTART, RLENGTH) + 0
        match($0, /[0-9]+ failed/); f = substr($0, RSTART, RLENGTH) + 0
        pass[g] = p; fail[g] = f; skip[g] = skipped[g] + 0; done[g] = 1
    }
    END {
        n = split(groups, order, " "); tp = 0; tf = 0
        printf "%-10s %7s %7s %8s\n", "group", "passed", "failed", "skipped"
        for (i = 1; i <= n; i++) {
            g = order[i]
            if (!(g in done)) { printf "%-10s %7s %7s %8s  (no summary)\n", g, "-", 1, "-"; tf++; continue }
            printf "%-10s %7d %7d %8d\n", g, pass[g], fail[g], skip[g]
            tp += pass[g]; tf += fail[g]
        }
        printf "%s%s", fails, warns
        printf "litmus: %d passed, %d failed\n", tp, tf
        exit tf > 0
    }'
rc=$?
if [ $rc -ne 0 ]; then
    echo "# --- litmus output ---"; tr '\r' '\n' <"$WORK/litmus.out" | grep -E "FAIL|WARNING|error" | head -40
fi
exit $rc
