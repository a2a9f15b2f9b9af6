"""The home page, health check and site-wide pages."""
