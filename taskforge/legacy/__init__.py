"""The legacy rescue (Chapter 37): reports_before.py as found, and reports/ after the refactor."""
