"""Learner-style TaskForges kept with the Phase 7 gate (see variants.py)."""
