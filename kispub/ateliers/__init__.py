"""Kennisateliers: knowledge workshops with registration and calendar output."""
