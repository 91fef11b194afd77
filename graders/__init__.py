"""Grading engine, learner CLI and per-chapter grader suites for the course."""
