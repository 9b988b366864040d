#!/bin/bash
# tests/bench/run.sh [--n 1000,10000,100000] [--quick] [more options: bench.py --help]
# Veil against Radicale and Xandikos on 127.0.0.1: same data, same workloads,
# one table (and a TSV).  Installs the peers and wrk from Debian when missing,
# builds veildav (RelWithDebInfo) unless $VEILDAV names a binary, and stops
# every server it started, whatever happens.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

need=""
for p in radicale xandikos wrk git; do command -v "$p" >/dev/null || need="$need $p"; done
[ -x /usr/bin/python3 ] || need="$need python3"
if [ -n "$need" ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    echo "run.sh: installing$need from Debian" >&2
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
fi

if [ -z "${VEILDAV:-}" ]; then
    cmake -S "$TOP" -B "$TOP/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$TOP/build" -j"$(nproc)" --target veildav >/dev/null
    export VEILDAV="$TOP/build/veildav"
fi

# bench.py stops its servers itself; this catches the rest (it killed hard,
# or interrupted while a server started): every process group it listed
VEIL_BENCH_PIDFILE=$(mktemp /tmp/veil-bench-pids.XXXXXX)
export VEIL_BENCH_PIDFILE
cleanup() {
    local pid
    while read -r pid; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done < "$VEIL_BENCH_PIDFILE"
    rm -f "$VEIL_BENCH_PIDFILE"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

/usr/bin/python3 "$TOP/tests/bench/bench.py" "$@"
