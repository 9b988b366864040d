#!/bin/bash
# tests/fuzz/run.sh [SECONDS] — runs every libFuzzer target over its corpus
# (tests/fuzz/corpus/<target>/: seeds and the inputs of past findings) and
# then fuzzes it for SECONDS (default 60).  Fails when any target finds a
# crash, a leak, undefined behaviour, a failed property or a timeout; the
# input is left in $FUZZ_OUT (default build-fuzz/findings/<target>/).
#
#   tests/fuzz/run.sh 60                   # what CI runs
#   FUZZ_TARGETS="dav ical" tests/fuzz/run.sh 3600   # the long runs, one hour each
#
# Builds build-fuzz/ with clang-14 (-DVEIL_FUZZ=ON) first.  New inputs a
# run finds go to a scratch directory, never into the checked-in corpus;
# to keep some, minimise them into it:
#   build-fuzz/tests/fuzz/fuzz_dav -merge=1 tests/fuzz/corpus/dav NEW_DIR
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SECONDS_EACH=${1:-60}
BUILD=${FUZZ_BUILD:-$TOP/build-fuzz}
OUT=${FUZZ_OUT:-$BUILD/findings}
CC=${FUZZ_CC:-clang-14}
JOBS=${FUZZ_BUILD_JOBS:-2}

cmake -S "$TOP" -B "$BUILD" -DCMAKE_C_COMPILER="$CC" -DVEIL_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j"$JOBS" --target fuzzers 2>&1 | grep -E "warning|error" &&
    { echo "fuzz build produced warnings or errors"; exit 1; }
cmake --build "$BUILD" -j"$JOBS" --target fuzzers >/dev/null

targets=${FUZZ_TARGETS:-$(cd "$TOP/tests/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=""
scratch=$(mktemp -d "${TMPDIR:-/tmp}/veil-fuzz-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
printf "%-10s %8s %10s %8s %s\n" target seconds execs exec/s corpus
for t in $targets; do
    corpus="$TOP/tests/fuzz/corpus/$t"
    dict=()
    [ -f "$TOP/tests/fuzz/$t.dict" ] && dict=(-dict="$TOP/tests/fuzz/$t.dict")
    mkdir -p "$scratch/$t" "$OUT/$t"
    log="$OUT/$t/last.log"
    start=$(date +%s)
    if (cd "$OUT/$t" && "$BUILD/tests/fuzz/fuzz_$t" -max_total_time="$SECONDS_EACH" \
            -timeout=25 -rss_limit_mb=2560 -print_final_stats=1 \
            -artifact_prefix="$OUT/$t/" "${dict[@]}" "$scratch/$t" "$corpus") >"$log" 2>&1; then
        status=ok
    else
        status=FAILED
        failed="$failed $t"
    fi
    secs=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    execs=${execs:-0}
    printf "%-10s %8d %10d %8d %s %s\n" "$t" "$secs" "$execs" $(( execs / (secs > 0 ? secs : 1) )) \
        "$(ls "$corpus" | wc -l)+$(ls "$scratch/$t" | wc -l)" "$status"
    if [ "$status" != ok ]; then
        grep -E "ERROR|runtime error|property failed|SUMMARY|Test unit written" "$log" | head -20
    fi
done
if [ -n "$failed" ]; then
    echo "fuzz: findings in:$failed (inputs and logs in $OUT/)"
    exit 1
fi
echo "fuzz: no findings"
