"""Data sources, the local store and the synthetic demo market."""
