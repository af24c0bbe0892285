"""Throughput and latency measurements; run ``python -m benchmarks``."""
