"""The networkx backend ``"gasp_graph"``: networkx functions dispatched to this library.

networkx (3.2 and later) finds backends through two entry points that gasp_graph's package
metadata declares:

* ``networkx.backends``: ``gasp_graph = "gasp_graph.backend:backend_interface"``, the object
  whose attributes networkx calls: the implemented functions, ``convert_from_nx`` and
  ``convert_to_nx``, ``can_run`` and ``should_run``;
* ``networkx.backend_info``: ``gasp_graph = "gasp_graph.backend:get_info"``, the function
  networkx calls at import to learn the backend's functions and their documentation.

So, once gasp_graph is installed::

    nx.community.greedy_modularity_communities(G, backend="gasp_graph")

runs :func:`gasp_graph.greedy_modularity_communities`.  The backend works on networkx graphs
directly: ``convert_from_nx`` passes the graph through unchanged, and ``convert_to_nx`` the
results.
"""
from __future__ import annotations

__all__ = ["backend_interface", "get_info", "FUNCTIONS"]

# networkx function name -> additional documentation shown in networkx's docstring.
FUNCTIONS = {
    "greedy_modularity_communities": (
        "The same merges as networkx on graphs without ties in the modularity gain (ties: "
        "the pair joined by the earliest edge goes first), computed by gasp_graph's C engine."
    ),
}


def get_info():
    """The ``networkx.backend_info`` entry point: what networkx shows and dispatches.

    Returns
    -------
    dict
        ``backend_name``, ``project``, ``package``, ``url``, ``short_summary`` and
        ``functions`` (name -> ``{"additional_docs": ...}``), the keys networkx reads.

    Examples
    --------
    >>> from gasp_graph.backend import get_info
    >>> sorted(get_info()["functions"])
    ['greedy_modularity_communities']
    """
    return {
        "backend_name": "gasp_graph",
        "project": "gasp_graph",
        "package": "gasp_graph",
        "url": "https://pypi.org/project/gasp_graph/",
        "short_summary": "GASP agglomeration in C: greedy modularity (CNM).",
        "functions": {name: {"additional_docs": doc} for name, doc in FUNCTIONS.items()},
    }


class _BackendInterface:
    """The object behind the ``networkx.backends`` entry point."""

    @staticmethod
    def convert_from_nx(G, *args, **kwargs):
        """gasp_graph's functions read networkx graphs as they are."""
        return G

    @staticmethod
    def convert_to_nx(obj, *args, **kwargs):
        """Results (lists of sets) are already what networkx returns."""
        return obj

    @staticmethod
    def can_run(name, args, kwargs):
        """True for the functions in :data:`FUNCTIONS`, else a reason (a string)."""
        if name in FUNCTIONS:
            return True
        return f"gasp_graph does not implement {name}"

    @staticmethod
    def should_run(name, args, kwargs):
        """Run when asked to (``backend="gasp_graph"`` or the backend priority)."""
        return True

    @staticmethod
    def greedy_modularity_communities(G, weight=None, resolution=1, cutoff=1, best_n=None):
        """:func:`gasp_graph.greedy_modularity_communities`, called by networkx's dispatcher."""
        from .community import greedy_modularity_communities

        return greedy_modularity_communities(
            G, weight=weight, resolution=resolution, cutoff=cutoff, best_n=best_n
        )


backend_interface = _BackendInterface()
