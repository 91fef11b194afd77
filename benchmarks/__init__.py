"""Benchmarks: speed targets are measured here, never asserted in unit tests."""
