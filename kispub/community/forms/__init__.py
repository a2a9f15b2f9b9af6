"""The community's forms, one module per part: ``joining``, ``discussion``, ``profiles``."""
