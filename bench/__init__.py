"""Benchmarks at scale (issue 7): `python -m bench.run`. See bench/run.py."""
