#!/usr/bin/env bash
# Run the gasp-graph command, setting up .venv first if needed.
#
#   ./scripts/run.sh                      # partition the bundled example graph, print a summary
#   ./scripts/run.sh edges.txt -o labels.txt --linkage abs_max
#   ./scripts/run.sh --help
#
# Needs Python 3.10+ (PYTHON=... to choose one) and a C compiler.  Set-up messages go to stderr,
# so the labels on stdout can be piped.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/_venv.sh
source "$ROOT/scripts/_venv.sh"
ensure_venv ""
exec "$VENV/bin/gasp-graph" "$@"
