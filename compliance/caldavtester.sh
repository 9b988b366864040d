#!/bin/bash
# compliance/caldavtester.sh [TEST-FILE ...] — Apple's CalDAVTester against veildav.
#
# Needs checkouts of github.com/apple/ccs-caldavtester and github.com/apple/ccs-pycalendar
# (their code is used in place, never copied) and Python 2.7 (pyenv's 2.7.18 is found by
# itself). Test files are paths under scripts/tests/, e.g. CalDAV/put.xml; without
# arguments, the list in compliance/caldavtester/tests-core.txt runs.
#
# Environment:
#   CALDAVTESTER_DIR, PYCALENDAR_DIR   the two checkouts (required)
#   VEILDAV                            the binary (default: build/veildav)
#   CALDAVTESTER_PYTHON                a Python 2.7 interpreter
#   CDT_WORKDIR                        logs, serverinfo.xml, results.{md,tsv} (default: mktemp)
#   CDT_LIST_FILE                      another list of test files
#   CDT_FEATURES                       comma-separated feature list instead of Veil's
#   CDT_CONFIG                         "key=value;..." added to veildav.conf
#   CDT_PORT, CDT_TLS_PORT, CDT_FILE_TIMEOUT (300 s), CDT_WAITCOUNT (4), CDT_TRACE=1, CDT_KEEP=1
#
# Files that check redirects to CalDAVTester's HTTPS address ($hostssl:, the well-known
# files) run against veildav serving TLS on CDT_TLS_PORT, with a self-signed certificate
# made by the openssl command line, and testcaldav.py --ssl.
#
# Each file runs against a fresh copy of one provisioned store, on a server of its own.
# The last line is "caldavtester: N passed, M failed, K skipped"; exit 0 only if none failed.
set -euo pipefail
exec /usr/bin/python3 "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/caldavtester/run.py" "$@"
