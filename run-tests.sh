#!/usr/bin/env bash
# Install everything the tests need into .venv and run the whole suite.
# Used as-is by CI (.ci/run). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
# constraints.txt pins every dependency to the versions the suite was last run with
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'

# Known vulnerabilities in those versions (skipped, successfully, where the data is unreachable)
PYTHON=.venv/bin/python scripts/audit.sh

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
if [ ! -x /usr/bin/chromium ]; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "installing Debian's chromium package…" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
fi

# Debian's poppler-utils (pdffonts/pdfinfo/pdftotext: the tests check PDFs embed no Type 3
# fonts), a CJK font (the tests draw a Japanese Q-set with a font fontconfig finds for it) and
# Pango (WeasyPrint lays the PDF report out with it).
if ! command -v pdffonts >/dev/null || [ -z "$(fc-list :lang=ja 2>/dev/null)" ] \
        || ! .venv/bin/python -c "import weasyprint" 2>/dev/null; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "installing Debian's poppler-utils, fonts-noto-cjk and Pango…" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils fonts-noto-cjk \
        fontconfig libpango-1.0-0 libpangoft2-1.0-0 >&2
fi

# A throwaway PostgreSQL server (installed from Debian's packages if missing) so the store,
# service and web tests run against both SQLite and PostgreSQL.
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/poetq-pg.XXXXXX")
chmod 755 "$pgdir"
trap 'scripts/throwaway-postgres.sh stop "$pgdir"' EXIT
POETQ_TEST_POSTGRES_URL=$(scripts/throwaway-postgres.sh start "$pgdir")
export POETQ_TEST_POSTGRES_URL

# The rules that run (docs/architecture.md): lint with the chosen rule sets, type-check the
# numerical core and the domain. Either failing fails the run.
.venv/bin/ruff check poetq tests bench scripts
.venv/bin/mypy

set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "run-tests.sh: pytest collected no tests; that is a failure" >&2
    exit 1
fi
exit "$status"
