"""Run the test suite against an installed gasp_graph, from a copy outside the source tree.

    python scripts/test_installed.py PROJECT_DIR [PYTEST ARGS...]

Copies PROJECT_DIR's tests/ (and the files some tests read beside it: docs/guide/, README.md,
benchmarks/) into a temporary folder and runs pytest there, so that ``import gasp_graph`` finds
the installed package and not the source checkout.  This is the test command of the wheel
builds (``[tool.cibuildwheel]`` in pyproject.toml); it works on Linux, macOS and Windows.
"""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    project = Path(argv[0]).resolve()
    with tempfile.TemporaryDirectory(prefix="gasp_graph_tests_") as tmp:
        root = Path(tmp)
        shutil.copytree(project / "tests", root / "tests")
        shutil.copytree(project / "docs" / "guide", root / "docs" / "guide")
        shutil.copy(project / "README.md", root / "README.md")
        shutil.copytree(project / "benchmarks", root / "benchmarks",
                        ignore=shutil.ignore_patterns("results"))
        import gasp_graph  # the installed one: the copy holds no package

        where = Path(gasp_graph.__file__).resolve().parent
        if project in where.parents:
            print(f"gasp_graph was imported from the source tree ({where})", file=sys.stderr)
            return 1
        print(f"testing the installed package {where}", flush=True)
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
               "-c", str(project / "pyproject.toml"), "--rootdir", str(root), *argv[1:]]
        if not any(a.startswith("tests") for a in argv[1:]):
            cmd.append("tests")
        return subprocess.call(cmd, cwd=root, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
