"""seslint: make Amazon SES permissions correct."""

__version__ = "0.1.0"
