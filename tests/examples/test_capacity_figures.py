"""The README's capacity example is what a fresh run of `examples.capacity_figures` prints."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `examples` is a folder of the checkout, not an installed package
    sys.path.insert(0, str(ROOT))

from examples import capacity_figures as cf  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (cf.DATA / cf.REAL_FILE).exists(),
                       reason=f"real data absent: {cf.DATA / cf.REAL_FILE} (the shared data folder beside the checkout)"),
]


def test_the_readme_capacity_block_is_a_fresh_run():
    current = cf.current_block(cf.README.read_text(), cf.START, cf.END)
    assert current == cf.capacity_block(cf.DATA), "run `.venv/bin/python -m examples.capacity_figures`"
