"""Sphinx configuration of the gasp_graph documentation.

Build (from the repository root, with ``pip install -e '.[docs]'`` in the active environment):

    sphinx-build -W --keep-going -b html docs docs/_build/html

The pages use the pydata-sphinx-theme; the example gallery is built by sphinx-gallery, which runs
every ``examples/plot_*.py`` script and embeds its figures; math is rendered by a copy of MathJax
shipped with the ``jupyter-server-mathjax`` package, so no page loads anything from the network.
"""
import shutil
from pathlib import Path

import gasp_graph

HERE = Path(__file__).resolve().parent

project = "gasp_graph"
author = "gasp_graph developers"
copyright = "2026, gasp_graph developers"
release = gasp_graph.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx_gallery.gen_gallery",
]
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
# Parameter types as plain text: with :type: fields Sphinx tries to cross-reference every word of
# "array_like of float, shape (n_nodes,)", and "n_nodes" matches several attributes (an
# "ambiguous target" warning, fatal under -W).
napoleon_use_param = False
autodoc_typehints = "none"
autodoc_member_order = "bysource"
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.md5", "auto_examples/*.json"]
source_suffix = {".rst": "restructuredtext"}

# -- math: MathJax 2 from the jupyter-server-mathjax package, copied into _static/mathjax -------
try:
    import jupyter_server_mathjax

    MATHJAX_DIR = Path(jupyter_server_mathjax.__file__).resolve().parent / "static"
except ImportError:  # the docs extra installs it; without it math stays TeX source
    MATHJAX_DIR = None
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
mathjax2_config = {
    # the package ships the STIX web fonts only
    "HTML-CSS": {"availableFonts": [], "imageFont": None, "preferredFont": None,
                 "webFont": "STIX-Web"},
    "SVG": {"font": "STIX-Web"},
    "messageStyle": "none",
}

# -- the example gallery -----------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"plot_",  # every plot_*.py is executed
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,  # a failing example fails the build
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "write_computation_times": False,  # that page loads scripts from a CDN
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "default_thumb_file": None,
    "reference_url": {},
    "capture_repr": ("_repr_html_", "__repr__"),
}

# -- HTML --------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"gasp_graph {release}"
html_static_path = ["_static"]
html_css_files = ["gasp_graph.css"]
html_show_sourcelink = False
html_copy_source = False
html_theme_options = {
    "navbar_align": "left",
    "navbar_end": ["theme-switcher"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
    "secondary_sidebar_items": ["page-toc"],
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "header_links_before_dropdown": 6,
}
html_sidebars = {"index": [], "changelog": []}
html_context = {"default_mode": "light"}


def _copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html" or MATHJAX_DIR is None:
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    shutil.copytree(MATHJAX_DIR, target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("localization", "*.md"))


def setup(app):
    app.connect("build-finished", _copy_mathjax)
