"""Views of a GradingResult: terminal, JSON, JUnit XML and friends."""
