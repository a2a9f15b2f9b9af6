"""The one theme taxonomy that every channel tags its content with."""
