"""A micro-cap screen on the demo market, built in Python rather than TOML.

Run from the repository root:  .venv/bin/python examples/microcap_demo.py
"""

from __future__ import annotations

import pandas as pd

from hedgeclone.backtest.replay import run_strategy
from hedgeclone.data.market import load_market
from hedgeclone.data.thirteenf.index import HoldingsIndex
from hedgeclone.strategies import MicrocapScreen, PointInTimeView

market = load_market("demo", benchmarks=("russell-microcap", "sp500"))
screen = MicrocapScreen(min_cap=50e6, max_cap=300e6, rank_by="6m", min_holders=2, top_n=15,
                        min_dollar_volume=100_000, rebalance="quarterly")

# What the screen saw on one date, as it would have seen it then.
view = PointInTimeView(market, pd.Timestamp("2024-06-28"), HoldingsIndex(market.holdings))
print(screen.rank(view).table().head(10).to_string(index=False))

run = run_strategy(screen, market, start="2016-01-04", fees=0.002, slippage=0.002,
                   delisting_returns=market.delisting_returns)
bench = market.benchmarks["russell-microcap"].loc[run.result.index]
print(f"\nscreen {run.result.value.iloc[-1] - 1:+.2%} vs russell-microcap {bench.iloc[-1] / bench.iloc[0] - 1:+.2%}")
