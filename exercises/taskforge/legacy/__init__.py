"""Phase 8 legacy rescue: reports_before.py is the module you inherit; leave it unchanged."""
