"""The worked examples of the user guide (docs/guide/*.rst) are doctests: run them."""
import doctest
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "guide"


@pytest.mark.parametrize("page", sorted(p.name for p in GUIDE.glob("*.rst")))
def test_guide_page_examples(page):
    pytest.importorskip("networkx")
    pytest.importorskip("scipy")
    result = doctest.testfile(
        str(GUIDE / page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
        report=True,
    )
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) of {page} failed (see output above)"
