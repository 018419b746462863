"""Every reference case (partitions returned by the reference implementation, nifty) must be
reproduced exactly, up to relabelling, by both builds of the engine."""
import numpy as np
import pytest

from conftest import reference_kwargs
from gasp_graph import _core, gasp
from gasp_graph._validation import prepare


@pytest.mark.parametrize("index_bits", [32, 64])
def test_every_reference_case(reference_cases, index_bits):
    failed = []
    for case in reference_cases:
        problem = prepare(case["edges"], case["weights"], **reference_kwargs(case))
        labels = _core.run(problem, index_bits=index_bits)[0]
        if not np.array_equal(labels, case["labels"]):
            failed.append((case["case"], case["group"]))
    assert len(reference_cases) == 370
    assert failed == [], f"{len(failed)} cases differ: {failed[:10]}"


def test_public_api_on_reference_cases(reference_cases):
    # The public function, with the reference's own linkage names ("mean"), over every group.
    groups = {}
    for case in reference_cases:
        groups.setdefault(case["group"], case)
    for case in groups.values():
        labels = gasp(case["edges"], case["weights"], **reference_kwargs(case))
        assert np.array_equal(labels, case["labels"]), case["group"]
