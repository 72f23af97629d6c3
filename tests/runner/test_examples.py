"""Every example script runs ten iterations through the runner and shows what it claims."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from app.runner.record import record

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def run(name: str, stats: str = "basic"):
    result = record(str(EXAMPLES / name), iterations=10, stats=stats)
    assert result.ok, (result.error or result.died)
    assert result.iterations == 10 and len(result.session) == 10
    return result


def structures(result) -> list[tuple]:
    return [tuple(sorted(n.key for n in c.nodes)) for c in result.session.captures]


def test_every_example_says_what_it_shows_in_its_first_line():
    for path in sorted(EXAMPLES.glob("*.py")):
        if path.name == "__init__.py":
            continue
        first = path.read_text().splitlines()[0]
        assert first.startswith("# ") and len(first) > 20, path.name


@pytest.mark.parametrize("name", ["cnn_shapes.py", "tiny_transformer.py"])
def test_loss_falls(name):
    losses = run(name).losses
    assert sum(losses[-3:]) / 3 < losses[0]


def test_spiral_default_example_runs_and_learns():
    if not (EXAMPLES / "spiral_mlp.py").exists():
        pytest.skip("the default example is not there yet")
    losses = run("spiral_mlp.py").losses
    assert losses[-1] < losses[0]


def test_rnn_graph_changes_with_the_sequence_length():
    result = run("rnn_variable_length.py")
    sizes = [len(c.nodes) for c in result.session.captures]
    assert len(set(sizes)) > 3
    # The unrolled steps reuse stable keys: a longer sequence's graph contains a shorter one's.
    shortest, longest = (min(structures(result), key=len), max(structures(result), key=len))
    assert set(k for k in shortest if "cell" in k) <= set(longest)


def test_branching_forward_records_two_alternating_graphs():
    result = run("branching_forward.py")
    graphs = structures(result)
    assert graphs[0] != graphs[1] and graphs[0] == graphs[2] and graphs[1] == graphs[3]
    assert any("deep" in k for k in graphs[0]) != any("deep" in k for k in graphs[1])


def test_nan_appears_and_is_located_at_the_log():
    result = run("nan_divergence.py")
    first_nan = next(i for i, v in enumerate(result.losses) if math.isnan(v))
    assert 2 <= first_nan <= 8  # "after a few iterations"
    capture = result.session.captures[first_nan]
    origin = capture.health.first_nonfinite
    assert origin is not None and origin.phase == "forward"
    assert capture.nodes[origin.node].op == "Log"
    assert origin.source.endswith("nan_divergence.py:30")
    assert all(c.health.first_nonfinite is None for c in list(result.session.captures)[:first_nan])
