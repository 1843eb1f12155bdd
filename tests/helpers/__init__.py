"""Helpers shared by tests: import from here, never from another test module."""
