"""Cross-cutting building blocks shared by every channel."""
