"""Benchmarks (not tests): run them as scripts, e.g. `python -m bench.engine`."""
