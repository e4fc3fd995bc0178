#!/usr/bin/env bash
# Sets up everything the test suite needs (idempotent: a second run reuses what the first installed)
# and runs all of it: the namespace drift check, the type checker, and pytest with the doctests.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || { echo "Error: Parley needs Python 3.11 or newer ($PY is $("$PY" -V 2>&1))" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]' > .venv/install.log 2>&1 \
  || { cat .venv/install.log >&2; echo "Error: installing Parley's test dependencies failed (log above)" >&2; exit 1; }

# Outside tools the tests use for real: Raptor's rapper (validates exported Turtle, N-Quads, TriG) and
# Debian's Chromium (the browser test). Installed with apt where we are root; elsewhere those tests skip.
missing=()
command -v rapper >/dev/null 2>&1 || missing+=(raptor2-utils)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing ${missing[*]} with apt-get" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  else
    echo "note: ${missing[*]} missing and not root: the tests that need them will skip" >&2
  fi
fi

echo "== namespaces generated from ontology/*.ttl are current" >&2
.venv/bin/python -m ontology.generate --check
echo "== mypy" >&2
.venv/bin/mypy
echo "== pytest" >&2
# ui's pages and app.py are Streamlit scripts that run when imported: their doctests are the page tests
exec .venv/bin/python -m pytest -q --doctest-modules graph ingest ontology ui tests \
  --ignore=ui/views --ignore=ui/app.py "$@"
