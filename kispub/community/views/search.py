"""Placeholder: filled in by the search work."""
