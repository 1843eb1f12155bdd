"""Samverkan: the intake assistant for Malmö's model for collaboration support."""

__version__ = "0.1.0"
