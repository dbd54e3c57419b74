"""Benchmarks: ``python -m bench`` (or ``make bench``) measures the content pipeline and site build."""
