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
# messages name the command as it was typed (gasp-graph is only on PATH inside .venv)
if [ "$PWD" = "$ROOT" ]; then GASP_GRAPH_PROG=./scripts/run.sh; else GASP_GRAPH_PROG="$ROOT/scripts/run.sh"; fi
export GASP_GRAPH_PROG
exec "$VENV/bin/gasp-graph" "$@"
