"""The pure core: the application model, the process phases, criteria and deadlines.

Nothing in this package performs I/O or reads the clock; callers pass ``now`` and data in.
"""
