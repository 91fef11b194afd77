"""Batch grading of many untrusted submissions into gradebooks and per-learner reports."""
