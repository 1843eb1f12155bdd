"""Officials as the memo, the letters and the role check see them: pure values, no storage.

An official is known by several ids at once: a Slack user id (``U…``), a Teams/Entra object id
and an e-mail address. Chat commands arrive with whichever id the platform gives, so every id
is recorded and any of them finds the official.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from samverkan.rules.phases import Role


class Platform(StrEnum):
    EMAIL = "email"
    SLACK = "slack"
    TEAMS = "teams"
    OTHER = "other"


_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{6,}$")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_TEAMS_USER = re.compile(r"^\d+:[A-Za-z0-9_\-]+$")  # 29:1AbC… (the Bot Framework user id)


def platform_of(ident: str) -> Platform:
    """Which platform an id belongs to, from its shape alone."""
    if "@" in ident:
        return Platform.EMAIL
    if _SLACK_ID.match(ident):
        return Platform.SLACK
    if _GUID.match(ident) or _TEAMS_USER.match(ident):
        return Platform.TEAMS
    return Platform.OTHER


def normalise_ident(ident: str) -> str:
    """E-mail addresses compare without case; platform ids are kept as they are."""
    ident = ident.strip()
    return ident.lower() if "@" in ident else ident


@dataclass(frozen=True)
class Official:
    """One entry of the officials' registry."""

    ident: str
    role: Role
    name: str | None = None
    title: str | None = None
    email: str | None = None
    slack_id: str | None = None
    teams_id: str | None = None
    active: bool = True

    @property
    def ids(self) -> tuple[str, ...]:
        """Every id the official is known by, the registered one first."""
        ids = (self.ident, self.email, self.slack_id, self.teams_id)
        return tuple(dict.fromkeys(i for i in ids if i))

    @property
    def display(self) -> str:
        """``Karin Holm, stadsutvecklare`` – or the id, when no name is registered."""
        if not self.name:
            return self.ident
        return f"{self.name}, {self.title}" if self.title else self.name


ROLE_LABELS = {Role.KONTAKTPERSON: "kontaktperson", Role.SAMORDNARE: "samordnare"}
