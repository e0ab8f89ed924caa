"""grondstof: an open observatory for critical raw materials."""

__version__ = "0.1.0"
