"""The built documentation: built with -W, the gallery executed, nothing loaded from the network,
no internal wording.

The pages are the ones in ``GASP_DOCS_HTML`` (.ci/run builds the docs there and then runs this
file), or, when the documentation tools are installed (``pip install -e '.[docs]'``) and the
sources are beside the tests, a fresh ``sphinx-build -W`` of ``docs/`` (slow: it runs every
example).
"""
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # without GASP_DOCS_HTML the fixture builds the docs (~30 s)

REPO = Path(__file__).resolve().parent.parent
DOCS, EXAMPLES = REPO / "docs", REPO / "examples"

# Words of the team's own work that a reader of the documentation has no use for.
INTERNAL = re.compile(
    r"\b(issue|ticket|task) #?\d+\b|\bproject machine\b|\bworkplace\b|\bhelpers?\b|"
    r"\bthe lead\b|\bsessions?\b|\bbrief\b|shared/reference|\bCEO\b",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    given = os.environ.get("GASP_DOCS_HTML")
    if given:
        return Path(given)
    if not (DOCS / "conf.py").exists() or not EXAMPLES.is_dir():
        pytest.skip("the documentation sources (docs/, examples/) are not beside the tests")
    for module in ("sphinx", "sphinx_gallery", "pydata_sphinx_theme", "matplotlib",
                   "jupyter_server_mathjax"):
        pytest.importorskip(module, reason="the docs extra is not installed "
                            "(pip install -e '.[docs]'); .ci/run builds the docs")
    out = tmp_path_factory.mktemp("html")
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS),
         str(out)], capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


class _Page(HTMLParser):
    """The external resources a page loads and its visible text."""

    def __init__(self):
        super().__init__()
        self.loads, self.text, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag in ("script", "img", "iframe") and a.get("src"):
            self.loads.append(a["src"])
        if tag == "link" and a.get("href") and set((a.get("rel") or "").split()) & {
                "stylesheet", "preload", "modulepreload", "icon"}:
            self.loads.append(a["href"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _pages(html):
    pages = sorted(html.rglob("*.html"))
    assert len(pages) > 20, f"only {len(pages)} pages in {html}"
    for path in pages:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        yield path.relative_to(html), page


def test_no_page_loads_anything_from_the_network(html):
    remote = re.compile(r"^(https?:)?//", re.IGNORECASE)
    bad = [(str(p), src) for p, page in _pages(html) for src in page.loads if remote.match(src)]
    assert not bad, bad
    css = [(str(p.relative_to(html)), m) for p in (html / "_static").rglob("*.css")
           for m in re.findall(r"@import\s+url\(['\"]?(?:https?:)?//[^)]*\)",
                               p.read_text(encoding="utf-8", errors="replace"))]
    assert not css, css


def test_no_page_names_internal_work_items(html):
    bad = []
    for path, page in _pages(html):
        text = " ".join(page.text)
        bad += [(str(path), m.group(0)) for m in INTERNAL.finditer(text)]
    assert not bad, bad


def test_the_detector_finds_what_it_should():
    assert INTERNAL.search("after the speed work of issue 3")
    assert INTERNAL.search("measured on the project machine")
    assert not INTERNAL.search("issues of the tracker are welcome; a helpful message")


def test_math_is_rendered_by_the_local_mathjax(html):
    page = (html / "guide" / "hierarchy.html").read_text(encoding="utf-8")
    assert '\\(' in page or 'class="math' in page  # the page has math ...
    assert "_static/mathjax/MathJax.js" in page  # ... rendered by the copy in _static
    assert (html / "_static" / "mathjax" / "MathJax.js").exists()
    assert (html / "_static" / "mathjax" / "config" / "TeX-AMS-MML_HTMLorMML-full.js").exists()


def test_every_example_was_executed_with_a_figure(html):
    scripts = sorted(p.stem for p in EXAMPLES.glob("plot_*.py")) if EXAMPLES.is_dir() else []
    built = sorted(p.stem for p in (html / "auto_examples").glob("plot_*.html"))
    if scripts:
        assert built == scripts
    assert built, "the gallery is empty"
    for name in built:
        figures = list((html / "_images").glob(f"sphx_glr_{name}_*.png"))
        assert figures, f"{name} produced no figure: was it executed?"


def test_guide_order_starts_with_getting_started_then_concepts(html):
    page = (html / "guide" / "index.html").read_text(encoding="utf-8")
    order = [page.find(f'href="{name}.html"') for name in ("getting_started", "concepts",
                                                           "networkx", "images")]
    assert -1 not in order and order == sorted(order), order


def test_footer_names_the_copyright_holder(html):
    page = " ".join(_Page_text(html / "index.html"))
    assert re.search(r"©\s*Copyright \d{4}, gasp_graph developers", page), page[-300:]


def _Page_text(path):
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page.text
