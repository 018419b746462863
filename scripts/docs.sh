#!/usr/bin/env bash
# Build the documentation (the user guide, the API reference and the example gallery, whose
# scripts are run) into docs/_build/html, setting up .venv first if needed.
#
#   ./scripts/docs.sh            # then open docs/_build/html/index.html
#   ./scripts/docs.sh -E         # extra arguments go to sphinx-build (-E: rebuild every page)
#
# The install in .venv stays editable (pip install -e '.[test,docs]'), so later edits of the
# sources are picked up and ./scripts/test.sh keeps working without a reinstall.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/_venv.sh
source "$ROOT/scripts/_venv.sh"
ensure_venv "test,docs"
exec "$VENV/bin/sphinx-build" -W --keep-going -b html "$@" "$ROOT/docs" "$ROOT/docs/_build/html"
