#!/usr/bin/env bash
# Check the pinned dependencies (constraints.txt) against known vulnerabilities with pip-audit,
# where PyPI's vulnerability data can be reached; elsewhere (offline, or behind a mirror that
# serves packages but not that data) say so and skip, successfully.
#   scripts/audit.sh            -> exit 0 clean or skipped, 1 when a vulnerability is found
# POETQ_AUDIT_PROBE overrides the address probed first (tests use an unreachable one).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
probe=${POETQ_AUDIT_PROBE:-https://pypi.org/pypi/pip/24.0/json}
if ! "$PYTHON" - "$probe" <<'PY' >/dev/null 2>&1
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
    assert "vulnerabilities" in json.load(r)
PY
then
    echo "pip-audit: skipped (PyPI's vulnerability data is not reachable from here)"
    exit 0
fi
venv=$(mktemp -d "${TMPDIR:-/tmp}/poetq-audit.XXXXXX")
trap 'rm -rf "$venv"' EXIT
"$PYTHON" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check pip-audit==2.10.1
"$venv/bin/pip-audit" --requirement constraints.txt --no-deps --disable-pip \
    --vulnerability-service pypi --progress-spinner off --strict
