"""The package's own version, where every stage that reports it can read it."""

__version__ = "0.1.0"
