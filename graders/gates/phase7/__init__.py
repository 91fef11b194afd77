"""The Phase 7 gate, "TaskForge Engineering Upgrade" (contract: graders/gates/README.md)."""
