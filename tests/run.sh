#!/bin/bash
# tests/run.sh — the whole test suite, as CI runs it:
#   1. the packages it needs (Debian 12), when missing;
#   2. a release build (-Wall -Wextra -Werror), unit tests (CTest), integration
#      tests against real servers on 127.0.0.1, and litmus;
#   3. the same again built with AddressSanitizer + UndefinedBehaviorSanitizer;
#   4. every libFuzzer target over its corpus, then fuzzed for FUZZ_SECONDS
#      (default 60) each (tests/fuzz/run.sh, clang-14).
# Options: --fast (skip the sanitizer pass and the fuzzing), --no-install.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP"
FAST=0
INSTALL=1
for a in "$@"; do
    case "$a" in
    --fast) FAST=1 ;;
    --no-install) INSTALL=0 ;;
    *) echo "usage: tests/run.sh [--fast] [--no-install]" >&2; exit 2 ;;
    esac
done

PACKAGES="build-essential cmake pkg-config libmicrohttpd-dev libxml2-dev libical-dev
libsqlite3-dev libssl-dev libcurl4-openssl-dev sqlite3 python3 python3-aiosmtpd msmtp litmus curl
openssl python3-caldav vdirsyncer rclone e2fsprogs clang-14 libclang-rt-14-dev"
if [ "$INSTALL" = 1 ]; then
    missing=$(for p in $PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
    if [ -n "$missing" ]; then
        SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
        $SUDO apt-get update -qq
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
    fi
fi
PY=/usr/bin/python3
JOBS=$(nproc 2>/dev/null || echo 2)

run_pass() {   # NAME BUILD_DIR CMAKE_ARGS...
    local name=$1 dir=$2
    shift 2
    echo "=== $name: build"
    cmake -S "$TOP" -B "$dir" "$@" >/dev/null
    cmake --build "$dir" -j"$JOBS" 2>&1 | grep -E "warning|error" && { echo "build produced warnings or errors"; return 1; }
    cmake --build "$dir" -j"$JOBS" >/dev/null
    echo "=== $name: unit tests"
    (cd "$dir" && ctest --output-on-failure -j"$JOBS")
    echo "=== $name: integration tests"
    VEILDAV="$dir/veildav" $PY -m unittest discover -s "$TOP/tests/integration" -p 'test_*.py' -t "$TOP/tests/integration"
    echo "=== $name: litmus"
    VEILDAV="$dir/veildav" "$TOP/compliance/litmus.sh"
}

run_pass release "$TOP/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ "$FAST" = 0 ]; then
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    export LSAN_OPTIONS=suppressions=$TOP/tests/lsan.supp:print_suppressions=0
    run_pass sanitizers "$TOP/build-asan" -DCMAKE_BUILD_TYPE=Debug -DVEIL_SANITIZE=ON
    echo "=== fuzzing: ${FUZZ_SECONDS:-60} s per target"
    "$TOP/tests/fuzz/run.sh" "${FUZZ_SECONDS:-60}"
fi
echo "=== all tests passed"
