"""Benchmarks: synthetic data generator and side-by-side measurements (``python -m bench``)."""
