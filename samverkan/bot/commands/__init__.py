"""Chat commands as text: ``parse(text) -> Command``, pure, shared by Slack, Teams and the CLI.

- :mod:`.types`: the commands as frozen dataclasses, and which of them only read;
- :mod:`.specs`: the command table (words, usage, examples) the help text and parser share;
- :mod:`.values`: readers for references, dates, amounts and ``fält=värde`` fields;
- :mod:`.case_steps`: readers for the commands that change one case;
- :mod:`.reader`: ``parse`` itself, and the readers of the remaining commands.

A new command is a dataclass in ``types``, a row in ``SPECS``, a reader, and a use case in
``bot/actions.py``.
"""

from samverkan.bot.commands.reader import parse
from samverkan.bot.commands.specs import FIELD_HELP, SPECS, CommandSpec, fold, spec_of
from samverkan.bot.commands.types import (
    OPEN_TO_ANYONE,
    READS,
    AddProcess,
    ApplicationEdit,
    Approve,
    Assess,
    Assign,
    Calendar,
    Close,
    Command,
    Decide,
    Documents,
    EditFields,
    FollowUp,
    Help,
    Invalid,
    ListCases,
    ListProcesses,
    Meeting,
    Mine,
    NewCase,
    Officials,
    Reject,
    Reminders,
    RequestInfo,
    Secrecy,
    Show,
    Stats,
    Withdraw,
    reads,
)

__all__ = [
    "FIELD_HELP",
    "OPEN_TO_ANYONE",
    "READS",
    "SPECS",
    "AddProcess",
    "ApplicationEdit",
    "Approve",
    "Assess",
    "Assign",
    "Calendar",
    "Close",
    "Command",
    "CommandSpec",
    "Decide",
    "Documents",
    "EditFields",
    "FollowUp",
    "Help",
    "Invalid",
    "ListCases",
    "ListProcesses",
    "Meeting",
    "Mine",
    "NewCase",
    "Officials",
    "Reject",
    "Reminders",
    "RequestInfo",
    "Secrecy",
    "Show",
    "Stats",
    "Withdraw",
    "fold",
    "parse",
    "reads",
    "spec_of",
]
