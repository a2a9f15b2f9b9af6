"""Placeholder: filled in by the profiles work."""
