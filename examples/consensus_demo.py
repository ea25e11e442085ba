"""The 14-stock consensus on the demo market, from Python, with two variants side by side.

Run from the repository root:  .venv/bin/python examples/consensus_demo.py
"""

from __future__ import annotations

import dataclasses

from hedgeclone.backtest.session import load_config_market, run_config
from hedgeclone.strategies import load_config

config = load_config("examples/consensus-14.toml")
market = load_config_market(config)

for variant in (config, config.replace_strategy(score="conviction"), config.replace_strategy(top_n=30)):
    run = run_config(variant, market)
    stats = run.result.stats()
    s = variant.strategy
    print(f"top_n={s.top_n:>2} score={s.score:<10} total {stats['total_return']:+8.2%}  "
          f"CAGR {stats['cagr']:+7.2%}  Sharpe {stats['sharpe']:.2f}  max DD {stats['max_drawdown']:+.2%}")

last = max(run.picks)
print(f"\nlast picks ({last.date()}):")
print(run.picks[last].table().head(10).to_string(index=False))
print("\nfees:", dataclasses.asdict(config.backtest)["fees"], "| data:", market.caveats[0][:60], "...")
