#!/usr/bin/env bash
# Run the test suite (tests/, which also runs the user guide's examples, and the doctests of
# gasp_graph), setting up .venv first if needed.
#
#   ./scripts/test.sh            # everything
#   ./scripts/test.sh -x -k cli  # extra arguments go to pytest
#
# Needs Python 3.10+ (PYTHON=... to choose one) and a C compiler.  The reference cases are read
# from ../shared/reference/ (or $GASP_REFERENCE_DIR); without them those tests skip, unless
# GASP_REQUIRE_REFERENCE=1.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/_venv.sh
source "$ROOT/scripts/_venv.sh"
ensure_venv test
cd "$ROOT"
# The install is editable, so the gasp_graph/ being doctested is the installed package, with the
# compiled engine beside it.
exec "$VENV/bin/python" -m pytest tests gasp_graph --doctest-modules "$@"
