"""The demo output shown in the README is what a fresh `hedgeclone demo` prints (examples/figures.py)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `examples` is a folder of the checkout, not an installed package
    sys.path.insert(0, str(ROOT))

from examples.figures import DEMO_END, DEMO_START, README, current_block, demo_block  # noqa: E402


def test_the_readme_demo_block_equals_a_fresh_run(tmp_path: Path):
    fresh = demo_block(tmp_path / "store")
    assert current_block(README.read_text(), DEMO_START, DEMO_END) == fresh, (
        "README's demo block differs from a fresh run; rerun `make figures` (or "
        "`.venv/bin/python -m examples.figures --only demo`)\n" + fresh)
