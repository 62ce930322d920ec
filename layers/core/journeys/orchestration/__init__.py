"""Orchestration around the state machines: entries, cohorts, listen tokens, execution tracking."""
