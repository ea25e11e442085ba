"""The real-workload figures of the READMEs are those `python -m benchmarks real` recorded.

Timings cannot be rerun in a test, so the block is checked against the run's record
(benchmarks/results/real.json, written by ``--readme`` with the block): nobody types them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `benchmarks` is a folder of the checkout, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import real  # noqa: E402


@pytest.mark.parametrize("readme", ["README.md", "benchmarks/README.md"])
def test_the_real_block_is_rendered_from_the_recorded_run(readme):
    text = (ROOT / readme).read_text()
    start, end = real.MARKERS
    assert start in text and end in text, f"{readme} has no real-workloads block: run python -m benchmarks real --readme"
    record = json.loads(real.RESULT.read_text())
    block = text[text.index(start): text.index(end) + len(end)]
    assert block == real.render_block(record)


def test_the_record_passed_parity_and_timed_every_workload():
    record = json.loads(real.RESULT.read_text())
    assert set(record["workloads"]) == set(real.WORKLOADS)
    assert record["parity"]["value_rel_diff"] <= 1e-9 and record["parity"]["dates"] > 40
    assert record["ratio"] == pytest.approx(record["pandas_s"] / record["workloads"]["R1"]["median_s"])
