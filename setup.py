"""Build script: the C engine is compiled by cffi at build time.  Metadata lives in pyproject.toml."""
from setuptools import setup

setup(
    cffi_modules=[
        "c_src/build_ffi.py:ffibuilder32",
        "c_src/build_ffi.py:ffibuilder64",
    ],
)
