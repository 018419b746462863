"""Root conftest: skip the doctests of optional-dependency modules when the dependency is absent."""
import importlib.util

collect_ignore = []
if any(importlib.util.find_spec(m) is None for m in ("dask", "distributed", "pandas", "scipy")):
    collect_ignore.append("gasp_graph/dask.py")
