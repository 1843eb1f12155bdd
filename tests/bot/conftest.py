"""Fixtures shared by the bot tests: officials typing commands (``chat``)."""

from tests.bot.test_actions import chat  # noqa: F401 - re-exported as a fixture
