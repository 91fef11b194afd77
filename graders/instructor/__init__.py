"""Instructor-only tools: the learner release and the Gradescope bundle (not for learners)."""
