"""Fixtures shared by the bot tests: officials typing commands, a stand-in Slack Web API."""

from tests.bot.test_actions import chat  # noqa: F401 - re-exported as a fixture
from tests.bot.test_slack import fake_slack  # noqa: F401 - re-exported as a fixture
