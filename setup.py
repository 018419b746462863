"""Build script: the C engine is compiled by cffi at build time.  Metadata lives in pyproject.toml.

Both extension modules use only CPython's limited API (cffi compiles them with Py_LIMITED_API
and names them ``*.abi3.so``), so one wheel tagged ``cp310-abi3`` serves every CPython from 3.10
on.  Interpreters without a stable ABI (free-threaded or debug builds, PyPy) get a wheel for
their own version instead.
"""
import platform
import sys
import sysconfig

from setuptools import setup

STABLE_ABI = (
    platform.python_implementation() == "CPython"
    and not hasattr(sys, "gettotalrefcount")  # a debug interpreter
    and not sysconfig.get_config_var("Py_GIL_DISABLED")  # a free-threaded interpreter
)

setup(
    cffi_modules=[
        "c_src/build_ffi.py:ffibuilder32",
        "c_src/build_ffi.py:ffibuilder64",
    ],
    options={"bdist_wheel": {"py_limited_api": "cp310"}} if STABLE_ABI else {},
)
