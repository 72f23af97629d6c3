"""The benchmarks the README quotes: `bench_*.py` scripts, their JSON results, the table updater.

`python -m benchmarks` rewrites the README's tables from `benchmarks/results/*.json`;
`python -m benchmarks --run engine trace` reruns those benchmarks first (see `__main__.py`).
"""
