"""Runs learner code in a separate process and brings back only plain data."""
