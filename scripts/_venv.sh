# Sourced by scripts/run.sh and scripts/test.sh (not run by itself).
#
# ensure_venv EXTRAS: make sure $VENV (default: .venv in the repository) exists and holds an
# editable install of gasp_graph with the given extras ("", "test" or "test,docs").  The compiled engine is
# rebuilt whenever the C sources, setup.py, pyproject.toml or the build flags (GASP_DEBUG,
# GASP_SANITIZE) changed since the last install; otherwise nothing is installed, so a second run
# starts at once.  Python code needs no reinstall: the install is editable.
#
# Environment: PYTHON (default python3, must be 3.10 or newer), GASP_VENV (default $ROOT/.venv).

PYTHON="${PYTHON:-python3}"
VENV="${GASP_VENV:-$ROOT/.venv}"

log() { printf '[gasp_graph] %s\n' "$*" >&2; }
die() { printf '[gasp_graph] error: %s\n' "$*" >&2; exit 1; }

_build_inputs_hash() {
    "$VENV/bin/python" - "$ROOT" <<'PY'
import hashlib, os, pathlib, sys
root = pathlib.Path(sys.argv[1])
h = hashlib.sha256()
files = [root / "setup.py", root / "pyproject.toml", *sorted((root / "c_src").iterdir())]
for path in files:
    if path.is_file():
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
for flag in ("GASP_DEBUG", "GASP_SANITIZE"):
    h.update(f"{flag}={os.environ.get(flag, '')}\0".encode())
print(h.hexdigest())
PY
}

ensure_venv() {
    local extras="$1"
    if [ ! -x "$VENV/bin/python" ]; then
        command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found; set PYTHON=/path/to/python3.10+"
        "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
            || die "gasp_graph needs Python 3.10 or newer; $PYTHON is $("$PYTHON" -V 2>&1)"
        log "creating the virtual environment $VENV"
        "$PYTHON" -m venv "$VENV" \
            || die "could not create $VENV (on Debian/Ubuntu: apt-get install python3-venv)"
    fi
    local stamp="$VENV/.gasp_graph_installed${extras:+_$extras}"
    local want candidate serving
    want="$(_build_inputs_hash)"
    # An install with more extras also serves: "test,docs" serves "test" and "", "test" serves "".
    case "$extras" in
        "") serving=("$stamp" "$VENV/.gasp_graph_installed_test" "$VENV/.gasp_graph_installed_test,docs") ;;
        test) serving=("$stamp" "$VENV/.gasp_graph_installed_test,docs") ;;
        *) serving=("$stamp") ;;
    esac
    for candidate in "${serving[@]}"; do
        if [ -f "$candidate" ] && [ "$(cat "$candidate")" = "$want" ] \
            && "$VENV/bin/python" -c 'import gasp_graph._core' >/dev/null 2>&1; then
            return 0
        fi
    done
    log "installing gasp_graph${extras:+[$extras]} into $VENV (compiles the C engine; needs a C compiler)"
    rm -f "$VENV"/.gasp_graph_installed*
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        --editable "$ROOT${extras:+[$extras]}" \
        || die "installing gasp_graph failed (see pip's message above)"
    printf '%s\n' "$want" > "$stamp"
}
