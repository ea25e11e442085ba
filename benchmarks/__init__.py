"""Speed and accuracy comparisons of hedgeclone with its peers (vectorbt, bt); not installed.

Run from the repository root: ``python -m benchmarks --help``.
"""
