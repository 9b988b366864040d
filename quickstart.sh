#!/bin/bash
# quickstart.sh — on a fresh Debian 12 machine: installs the build
# dependencies, builds veildav, creates a demo data directory with a demo
# account, prints its app password and serves on http://127.0.0.1:8008/.
# Environment: VEILDAV_DATA (default ./demo-data), VEILDAV_LISTEN (default 127.0.0.1:8008).
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$TOP"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq build-essential cmake pkg-config \
    libmicrohttpd-dev libxml2-dev libical-dev libsqlite3-dev libssl-dev libcurl4-openssl-dev >/dev/null
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
DATA=${VEILDAV_DATA:-$TOP/demo-data}
LISTEN=${VEILDAV_LISTEN:-127.0.0.1:8008}
V="$TOP/build/veildav --data $DATA"
if [ ! -f "$DATA/accounts.db" ]; then
    $V init --listen "$LISTEN"
    $V user add demo --display-name "Demo User" >/dev/null
fi
PASS=$($V app-password create --user demo --name "quickstart-$(date +%Y%m%d-%H%M%S)")
cat <<MSG

  Veil is starting on http://$LISTEN/
  account:       demo
  app password:  $PASS   (shown once; make more with: build/veildav --data $DATA app-password create --user demo --name NAME)
  principal:     $($V user show demo | head -n1)
  clients:       point CalDAV/CardDAV clients at http://$LISTEN/ (/.well-known/caldav and /.well-known/carddav redirect there)

MSG
exec $V serve
