#!/bin/bash
# tests/bench/run.sh [--quick] [--n 1000,10000] [--peer-max N] [--servers veildav,radicale,xandikos]
# Veil against Radicale and Xandikos on 127.0.0.1, same data and workloads, one table.
# Installs the peers and wrk from Debian when missing; builds veildav (release) when needed.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
need=""
for p in radicale xandikos wrk git python3; do command -v "$p" >/dev/null || need="$need $p"; done
if [ -n "$need" ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
fi
if [ -z "${VEILDAV:-}" ]; then
    cmake -S "$TOP" -B "$TOP/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$TOP/build" -j"$(nproc)" >/dev/null
fi
exec /usr/bin/python3 "$TOP/tests/bench/bench.py" "$@"
