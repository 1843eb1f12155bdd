"""Fixtures shared by the bot tests: officials typing commands, a stand-in Slack Web API."""

from tests.helpers.chat import chat  # noqa: F401 - re-exported as a fixture
from tests.helpers.slack import fake_slack  # noqa: F401 - re-exported as a fixture
