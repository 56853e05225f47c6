#!/usr/bin/env bash
# Set up .venv (if needed) from the pinned constraints and run linters and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
.venv/bin/ruff check .
.venv/bin/mypy
# A leaked aiosqlite connection would hang the interpreter at exit: bound the whole run.
timeout --kill-after=30 1500 .venv/bin/python -m pytest -p no:cacheprovider "$@"
