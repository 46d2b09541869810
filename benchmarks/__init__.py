"""Reproducible performance runs: `python benchmarks/run.py --help` (see benchmarks/README.md)."""
