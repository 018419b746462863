"""cffi builders for the gasp_graph C engine (API mode, compiled at build time, never at import).

Two extension modules are built from the same C sources (one unity translation unit each,
``engine32.c`` / ``engine64.c``, so the main loop inlines the heap and graph code):

* ``gasp_graph._gasp32`` -- ids inside the engine are int32 (graphs with < 2**31 nodes and
  < 2**30 edges: less memory, more of the graph in cache);
* ``gasp_graph._gasp64`` -- ids are int64, for anything larger.

Both export the same functions (declared once in ``gasp_cdef.h``); ``gasp_graph/_core.py`` picks
one per call.  ``GASP_DEBUG=1`` in the environment builds with C asserts and the invariant checks
(``*_check()``) enabled; ``GASP_SANITIZE=1`` adds AddressSanitizer and UBSan instrumentation.
"""
import os

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))
DEPENDS = ["gasp.h", "graph.h", "heap.h", "linkage.h", "unionfind.h",
           "engine.c", "gasp.c", "graph.c", "heap.c", "unionfind.c", "selftest.c",
           "fastpath.h", "fastpath.c", "alloc.h", "image.c",
           "refine.h", "refine.c", "engine.h", "grid.h", "grid.c", "control.h", "validate.h"]


def _relative(path):
    # setuptools wants source paths relative to the project root (the build's working directory).
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path


def _flag(name):
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def make_builder(module, idx64):
    ffi = FFI()
    with open(os.path.join(HERE, "gasp_cdef.h")) as f:
        ffi.cdef(f.read())
    macros = []
    msvc = os.name == "nt"  # Windows wheels are built with MSVC, which has its own flags
    # Results must be bit-identical on every platform: no fused multiply-add contraction (clang
    # contracts by default on arm64, which would change how near-ties between priorities break).
    compile_args = ["/fp:precise"] if msvc else ["-std=c99", "-ffp-contract=off"]
    link_args = []
    if _flag("GASP_DEBUG") or _flag("GASP_SANITIZE"):
        macros.append(("GASP_DEBUG", "1"))
        compile_args += ["/Od", "/Zi", "/UNDEBUG"] if msvc else [
            "-O1", "-g", "-UNDEBUG", "-Wall", "-Wextra"]
    else:
        compile_args += ["/O2"] if msvc else ["-O3"]
    if _flag("GASP_SANITIZE"):
        san = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=all"]
        compile_args += san
        link_args += san
    ffi.set_source(
        module,
        '#include "gasp.h"',
        sources=[_relative(os.path.join(HERE, "engine64.c" if idx64 else "engine32.c"))],
        depends=[_relative(os.path.join(HERE, d)) for d in DEPENDS],
        include_dirs=[_relative(HERE)],
        define_macros=macros,
        extra_compile_args=compile_args,
        extra_link_args=link_args,
        libraries=["m"] if os.name == "posix" else [],
    )
    return ffi


ffibuilder32 = make_builder("gasp_graph._gasp32", idx64=False)
ffibuilder64 = make_builder("gasp_graph._gasp64", idx64=True)

if __name__ == "__main__":
    ffibuilder32.compile(verbose=True)
    ffibuilder64.compile(verbose=True)
