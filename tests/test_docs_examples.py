"""The worked examples of the user guide (docs/guide/*.rst) are doctests: run them."""
import doctest
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "guide"


# Pages with interactive examples; pages that only show code blocks (figures, CLI sessions) are
# covered by their own modules' tests.
PAGES = sorted(p.name for p in GUIDE.glob("*.rst") if ">>> " in p.read_text())


def test_guide_pages_with_examples_are_found():
    assert {"networkx.rst", "scipy.rst", "concepts.rst"} <= set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_guide_page_examples(page):
    pytest.importorskip("networkx")
    pytest.importorskip("scipy")
    text = (GUIDE / page).read_text(encoding="utf-8")
    for module in ("pandas", "igraph"):  # optional inputs some pages show
        if f"import {module}" in text:
            pytest.importorskip(module)
    result = doctest.testfile(
        str(GUIDE / page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
        report=True,
    )
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) of {page} failed (see output above)"
