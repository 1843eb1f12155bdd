"""Fixtures for the public-records tests: officials typing commands on a real database."""

from tests.helpers.chat import chat  # noqa: F401 - re-exported as a fixture
