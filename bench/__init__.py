"""Benchmarks: data generator, pandas reference, harness (see bench/README.md); not part of the package."""
