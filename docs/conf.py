"""Sphinx configuration for the gasp_graph documentation (build: sphinx-build -W -b html docs docs/_build)."""
import gasp_graph

project = "gasp_graph"
author = "gasp_graph developers"
release = gasp_graph.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
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
intersphinx_mapping = {}
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path = []
source_suffix = {".rst": "restructuredtext"}
