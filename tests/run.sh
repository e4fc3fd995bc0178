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

echo "== namespaces generated from ontology/*.ttl are current" >&2
.venv/bin/python -m ontology.generate --check
echo "== mypy" >&2
.venv/bin/mypy
echo "== pytest" >&2
exec .venv/bin/python -m pytest -q --doctest-modules graph ingest ontology tests "$@"
