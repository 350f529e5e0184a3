"""The Infusionsoft (Keap) compatible sandbox server."""

# The one place the version is written: pyproject.toml reads it, and so do `sandbox --version` and /sandbox/health.
__version__ = "0.1.0"
