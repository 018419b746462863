"""The Python examples of README.md run and print what their comments say."""
import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks(text):
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_readme_example_output():
    if not README.exists():  # a copy of tests/ run outside the source tree (.ci/run)
        pytest.skip(f"{README} not found: not running from a source tree")
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    assert blocks, "README.md has no ```python block"
    namespace = {}  # shared, as the blocks continue one another
    for block in blocks:
        if "import networkx" in block:
            pytest.importorskip("networkx")
        expected = [m.group(1) for m in re.finditer(r"print\(.*\)\s+# (\[[^\]]*\])", block)]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, str(README), "exec"), namespace)
        assert out.getvalue().splitlines() == expected
        assert expected, "the README example should show its output in comments"
