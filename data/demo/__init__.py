"""The synthetic demo market: hedgeclone's embedded, offline, deterministic default data source.

``load_demo(DemoConfig())`` gives thousands of stocks on the real NYSE calendar with listings,
delistings, a micro-cap tail, volumes, share issuance, benchmark indices built from the same
market, and a population of 13F filers (some skilled) filing with realistic lags and
amendments. Everything in it is made up: print `SYNTHETIC_NOTICE` with any result.
"""

from hedgeclone.data.demo.benchmarks import MICRO_CAP_BAND, MICROCAP, SP500
from hedgeclone.data.demo.cache import GENERATOR_VERSION, demo_prefix, load_demo
from hedgeclone.data.demo.config import DemoConfig
from hedgeclone.data.demo.identifiers import cusip_check_digit
from hedgeclone.data.demo.market import SYNTHETIC_NOTICE, DemoMarket, generate_demo

__all__ = [
    "DemoConfig",
    "DemoMarket",
    "load_demo",
    "generate_demo",
    "demo_prefix",
    "SYNTHETIC_NOTICE",
    "GENERATOR_VERSION",
    "SP500",
    "MICROCAP",
    "MICRO_CAP_BAND",
    "cusip_check_digit",
]
