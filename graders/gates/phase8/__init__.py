"""The Phase 8 gate, "TaskForge at Scale" (contract: graders/gates/phase8/CONTRACT.md)."""
