"""Packaging: one abi3 wheel (tag cp310-abi3) serves every CPython from 3.10 on.

The extension modules must be built for the limited API, and the wheel (``GASP_WHEEL``, set by
.ci/run to the wheel it built) and the installed distribution must carry the abi3 tag.
"""
import importlib.machinery
import importlib.metadata
import os
import platform
import sys
import sysconfig
from pathlib import Path

import pytest

import gasp_graph
from gasp_graph import _core  # noqa: F401  (the compiled modules load)

STABLE_ABI = (platform.python_implementation() == "CPython"
              and not hasattr(sys, "gettotalrefcount")
              and not sysconfig.get_config_var("Py_GIL_DISABLED"))
needs_stable_abi = pytest.mark.skipif(not STABLE_ABI, reason="this interpreter has no stable ABI")


def _wheel_tags(text):
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Tag:")]


@needs_stable_abi
def test_extension_modules_are_built_for_the_limited_api():
    package = Path(gasp_graph.__file__).parent
    for name in ("_gasp32", "_gasp64"):
        found = [p.name for p in package.iterdir()
                 if p.name.startswith(name + ".")
                 and p.name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))]
        assert found, f"no compiled {name} in {package}"
        abi3 = ".pyd" if os.name == "nt" else ".abi3.so"
        assert all(f.endswith(abi3) for f in found), found


@needs_stable_abi
def test_installed_distribution_is_tagged_cp310_abi3():
    text = importlib.metadata.distribution("gasp_graph").read_text("WHEEL")
    if text is None:
        if os.environ.get("GASP_WHEEL"):
            pytest.fail("GASP_WHEEL is set but the installed gasp_graph has no WHEEL metadata")
        pytest.skip("gasp_graph was not installed from a wheel (no WHEEL metadata)")
    tags = _wheel_tags(text)
    assert tags and all(t.startswith("cp310-abi3-") for t in tags), tags


def test_built_wheel_is_tagged_cp310_abi3():
    wheel = os.environ.get("GASP_WHEEL")
    if not wheel:
        pytest.skip("GASP_WHEEL (the path of a built wheel) is not set; .ci/run sets it")
    import zipfile

    name = Path(wheel).name
    _, _, py, abi, plat = name[: -len(".whl")].split("-")
    assert (py, abi) == ("cp310", "abi3"), name
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/WHEEL"))
        assert _wheel_tags(z.read(meta).decode()) == [f"cp310-abi3-{plat}"]
        assert sum(n.endswith(".abi3.so") or n.endswith(".pyd") for n in z.namelist()) == 2


def test_cibuildwheel_builds_one_abi3_wheel_per_platform_and_tests_it():
    """The [tool.cibuildwheel] table: cp310 only (the abi3 wheel serves newer CPythons), every
    platform, and a test command that exists and runs the suite outside the source tree."""
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    root = Path(__file__).resolve().parent.parent
    if not (root / "pyproject.toml").exists():
        pytest.skip("not running from a source tree")
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["cibuildwheel"]
    assert config["build"] == "cp310-*"
    assert {"linux", "macos", "windows"} <= set(config)
    images = config["linux"]
    assert any(k.startswith("manylinux") for k in images)
    assert any(k.startswith("musllinux") for k in images)
    command = config["test-command"]
    assert "{project}/scripts/test_installed.py" in command
    assert (root / "scripts" / "test_installed.py").exists()
    setup = (root / "setup.py").read_text()
    assert '"py_limited_api": "cp310"' in setup
