"""Shared test fixtures: the reference cases from ../shared/reference/.

The reference cases live outside the repository (they are not copied in), in
../shared/reference/ beside the repository root; the environment variable GASP_REFERENCE_DIR
names another folder (.ci/run sets it when it runs a copy of the tests outside the source tree).
When the file is absent the tests that need it skip with the reason below; with
GASP_REQUIRE_REFERENCE=1 (set by .ci/run) a missing file is a failure instead.
"""
import json
import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
REFERENCE_DIR = Path(os.environ.get("GASP_REFERENCE_DIR") or REPO.parent / "shared" / "reference")
REFERENCE_FILE = REFERENCE_DIR / "gasp_reference_cases.npz"


def _load_reference():
    if not REFERENCE_FILE.exists():
        reason = (
            f"reference cases not found at {REFERENCE_FILE}: gasp_reference_cases.npz holds 370 "
            "problems with the partitions of the reference implementation of GASP (nifty 1.2.3) "
            "and is kept outside the repository, in shared/reference/ beside the clone; set "
            "GASP_REFERENCE_DIR to the folder that holds it"
        )
        if os.environ.get("GASP_REQUIRE_REFERENCE", "") not in ("", "0"):
            pytest.fail(reason + "; GASP_REQUIRE_REFERENCE is set", pytrace=False)
        pytest.skip(reason)
    z = np.load(REFERENCE_FILE)
    cases = []
    for entry in z["index"]:
        cfg = json.loads(str(entry))
        i = cfg["case"]
        cfg["edges"] = z[f"case{i}_edges"]
        cfg["weights"] = z[f"case{i}_weights"]
        cfg["edge_sizes"] = z[f"case{i}_edge_sizes"]
        cfg["is_local"] = z[f"case{i}_is_local"]
        cfg["node_sizes"] = z[f"case{i}_node_sizes"]
        cfg["labels"] = z[f"case{i}_labels"]
        cases.append(cfg)
    return cases


@pytest.fixture(scope="session")
def reference_cases():
    """All reference cases as dicts: the index fields plus the arrays (edges, weights, ...)."""
    return _load_reference()


def reference_kwargs(case):
    """Keyword arguments of gasp_graph.gasp that reproduce a reference case's configuration."""
    kw = dict(
        n_nodes=case["n_nodes"],
        linkage=case["linkage"],
        cannot_link=case["cannot_link"],
        merge_constrained_at_end=case["merge_constrained_at_end"],
        lifted=case["is_local"] == 0,
        edge_sizes=case["edge_sizes"],
        node_sizes=case["node_sizes"],
        size_regularizer=case["size_regularizer"],
        # the reference's "number of nodes to stop" is the early stop, not exactly k clusters
        min_clusters=case["number_of_nodes_to_stop"],
    )
    if case["linkage_kwargs"]:
        kw["linkage_param"] = case["linkage_kwargs"]["p"]
    return kw


# Hypothesis budgets, chosen with HYPOTHESIS_PROFILE: "default" for development and CI,
# "sanitize" for scripts/sanitize.sh (an instrumented build runs several times slower) and
# "valgrind" for its memcheck fallback.  Every profile is derandomized (a fixed sequence of
# examples), so a failure reproduces.  Tests that set max_examples themselves keep it.
from hypothesis import HealthCheck, settings  # noqa: E402

_PROFILE_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("default", derandomize=True, deadline=None)
settings.register_profile("sanitize", derandomize=True, deadline=None, max_examples=30,
                          suppress_health_check=_PROFILE_CHECKS)
settings.register_profile("valgrind", derandomize=True, deadline=None, max_examples=5,
                          suppress_health_check=_PROFILE_CHECKS)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
