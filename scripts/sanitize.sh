#!/usr/bin/env bash
# Run the C-facing tests against a build of the engine instrumented with AddressSanitizer and
# UndefinedBehaviorSanitizer (GASP_SANITIZE=1); fail on any sanitizer report.
#
#   ./scripts/sanitize.sh                 # build, then run the selected tests
#   ./scripts/sanitize.sh -k fuzz         # extra arguments go to pytest
#
# The interpreter is not instrumented, so the ASan runtime is preloaded (LD_PRELOAD of gcc's
# libasan.so).  Every report aborts the process (halt_on_error=1, abort_on_error=1,
# -fno-sanitize-recover=all), so pytest dies with a non-zero status and so does this script.
# Leak detection is off: CPython keeps its own allocations alive at exit and every stack of an
# engine allocation runs through the interpreter, so a suppression file for Python would hide the
# engine's leaks too; leaks are covered by tests/test_control.py (resident memory over 1000
# calls) and by the engine freeing everything before gasp_run returns (checked by valgrind below).
# pytest runs with --capture=sys: the sanitizer runtime writes its report to file descriptor 2,
# which pytest's default fd capture would swallow when the process aborts.
# Where ASan cannot load, the same tests run under valgrind memcheck (GASP_SANITIZER=valgrind
# forces that; it is much slower, so it runs fewer tests).
#
# Environment: PYTHON (default python3), GASP_SANITIZE_VENV (default .venv-sanitize in the
# repository; reused between runs, the package is always rebuilt), GASP_SANITIZER (asan or
# valgrind; default asan when it loads), HYPOTHESIS_PROFILE (default "sanitize": smaller
# hypothesis budgets, see tests/conftest.py), GASP_REFERENCE_DIR (passed through).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="${GASP_SANITIZE_VENV:-$ROOT/.venv-sanitize}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-sanitize}"
START=$SECONDS

log() { printf '[sanitize] %s\n' "$*" >&2; }
die() { printf '[sanitize] error: %s\n' "$*" >&2; exit 1; }

# The tests that drive the C engine (the others test pure-Python front-end code).
TESTS=()
for name in reference_cases oracle validation structures equivalences control fuzz partition \
        lazy_rekeying numeric_range \
        hierarchy image_ops regions image_pipeline n_clusters null_model refine grid_engine; do
    [ -f "$ROOT/tests/test_$name.py" ] && TESTS+=("tests/test_$name.py")
done
[ "${#TESTS[@]}" -gt 0 ] || die "no test files found in $ROOT/tests"

SANITIZER="${GASP_SANITIZER:-asan}"
ASAN_LIB="$(gcc -print-file-name=libasan.so 2>/dev/null || true)"
# C++ extensions (python-igraph, used by the converter tests) throw exceptions; ASan intercepts
# __cxa_throw and needs the real one resolved at startup, so libstdc++ is preloaded with it.
CXX_LIB="$(gcc -print-file-name=libstdc++.so 2>/dev/null || true)"
PRELOAD="$ASAN_LIB"
[ -f "$CXX_LIB" ] && PRELOAD="$ASAN_LIB:$CXX_LIB"
if [ "$SANITIZER" = asan ]; then
    if [ ! -f "$ASAN_LIB" ] || ! LD_PRELOAD="$ASAN_LIB" ASAN_OPTIONS=detect_leaks=0 \
            "$PYTHON" -c 'pass' >/dev/null 2>&1; then
        log "the ASan runtime does not load ($ASAN_LIB); falling back to valgrind memcheck"
        SANITIZER=valgrind
    fi
fi
# ASan: instrumented build (GASP_SANITIZE=1, which implies the GASP_DEBUG checks).  valgrind
# cannot run ASan code: a plain debug build (GASP_DEBUG=1) there.
if [ "$SANITIZER" = asan ]; then BUILD_FLAGS=(GASP_SANITIZE=1); else BUILD_FLAGS=(GASP_DEBUG=1); fi

if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi
log "building gasp_graph with ${BUILD_FLAGS[*]} into $VENV"
BUILD_LOG="$(mktemp "${TMPDIR:-/tmp}/gasp_sanitize_build.XXXXXX")"
# The dependencies once, then always a fresh build of gasp_graph itself with the flags.
if ! { env "${BUILD_FLAGS[@]}" "$VENV/bin/python" -m pip install --quiet "$ROOT[test]" \
        && env "${BUILD_FLAGS[@]}" "$VENV/bin/python" -m pip install --quiet --no-deps \
        --force-reinstall --no-cache-dir "$ROOT"; } >"$BUILD_LOG" 2>&1; then
    cat "$BUILD_LOG" >&2
    die "building the sanitizer build failed"
fi
rm -f "$BUILD_LOG"

# Run the tests from a copy outside the source tree, so `import gasp_graph` finds the installed
# (instrumented) package, never a source checkout's own compiled modules.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/gasp_sanitize.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/repo"
cp -R "$ROOT/tests" "$WORK/repo/tests"
# some tests import the benchmark helpers from ../benchmarks (test_image_pipeline, test_benchmarks)
cp -R "$ROOT/benchmarks" "$WORK/repo/benchmarks"
[ -d "$ROOT/examples" ] && cp -R "$ROOT/examples" "$WORK/repo/examples"  # tests run the gallery examples
rm -rf "$WORK/repo/benchmarks/results"
cp "$ROOT/pyproject.toml" "$WORK/repo/pyproject.toml"
# tests/conftest.py reads the reference cases from ../shared/reference beside the repository.
if [ -n "${GASP_REFERENCE_DIR:-}" ]; then
    mkdir -p "$WORK/shared" && ln -s "$GASP_REFERENCE_DIR" "$WORK/shared/reference"
elif [ -d "$ROOT/../shared" ]; then
    ln -s "$(cd "$ROOT/../shared" && pwd)" "$WORK/shared"
fi

check_instrumented() {
    (cd "$WORK/repo" && "$@" "$VENV/bin/python" - <<'PY'
import gasp_graph, gasp_graph._core as core, os
assert core.debug_build(), "the sanitizer build must have the GASP_DEBUG checks on"
path = os.path.dirname(gasp_graph.__file__)
assert "site-packages" in path, f"gasp_graph imported from {path}, not from the sanitizer venv"
print("instrumented gasp_graph from", path)
PY
    )
}

status=0
if [ "$SANITIZER" = asan ]; then
    export GASP_SANITIZER_RUN=1
    export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:allocator_may_return_null=1"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:abort_on_error=1"
    # allocator_may_return_null=1: a huge malloc returns NULL (the engine then reports
    # GASP_ENOMEM) instead of ASan aborting the process.
    check_instrumented env LD_PRELOAD="$PRELOAD"
    log "running ${TESTS[*]} under ASan + UBSan"
    (cd "$WORK/repo" && LD_PRELOAD="$PRELOAD" "$VENV/bin/python" -m pytest -p no:cacheprovider \
        -c "$WORK/repo/pyproject.toml" --rootdir "$WORK/repo" -q -x --capture=sys \
        -m "not gallery" "${TESTS[@]}" "$@") || status=$?
else
    command -v valgrind >/dev/null 2>&1 || die "neither ASan nor valgrind is available"
    export GASP_SANITIZER_RUN=1 PYTHONMALLOC=malloc
    export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE_VALGRIND:-valgrind}"
    SUPP="$ROOT/scripts/valgrind-python.supp"
    check_instrumented
    log "running ${TESTS[*]} under valgrind memcheck (GASP_DEBUG=1 build)"
    (cd "$WORK/repo" && valgrind --quiet --error-exitcode=99 --suppressions="$SUPP" \
        --errors-for-leak-kinds=definite --leak-check=no --track-origins=no \
        "$VENV/bin/python" -m pytest -p no:cacheprovider -c "$WORK/repo/pyproject.toml" \
        --rootdir "$WORK/repo" -q -x --capture=sys -m "not slow and not gallery" "${TESTS[@]}" "$@") || status=$?
fi
if [ "$status" = 5 ]; then die "pytest collected no tests"; fi
if [ "$status" != 0 ]; then
    die "sanitizer run failed with status $status (a sanitizer report aborts the run: see above)"
fi
log "no sanitizer reports; $SANITIZER run done in $((SECONDS - START))s"
