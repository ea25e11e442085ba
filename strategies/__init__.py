"""Strategies: stacks of small steps evaluated on a point-in-time view."""
