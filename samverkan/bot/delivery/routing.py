"""Where a notice goes: pure decisions from the configured places and the case's contact.

Notices are queued without an address; when the drainer routes them, each gets one
destination per place the officials work (:class:`Places`, built from the settings):

- the officials' channel in Slack and in Teams, when configured;
- the case's contact person directly, for what concerns their case (a reminder, an
  actor's reply), on the platform their id belongs to;
- e-mail to the contact person, or to every official with an e-mail address, when no chat
  platform is configured at all.

A notice for an audience goes only there: ``samordnare`` (each coordinator directly, or the
channel when none can be reached directly) or one official's id (a weekly digest).

No floods: when one pass would send more than ``fold_above`` notices to one destination
(a backfill, a long outage), they go as one summary with the count and the references. While
such a flood is still arriving (the newest notice is younger than ``settle``) the pass waits,
so a backfill gives one summary rather than one per batch; never longer than ``max_wait``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from samverkan.config import Settings
from samverkan.rules.phases import Role
from samverkan.storage.outbox import Routing, Summary, UnroutedNotice

__all__ = ["PERSONAL_KINDS", "Places", "plan"]

PERSONAL_KINDS = frozenset({"reminder", "reply", "deadline"})
"""Notices the case's contact person also gets directly."""
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
SUMMARY_REFS = 50
"""References named in a summary; the rest are counted."""


@dataclass(frozen=True)
class Places:
    """The configured places officials read, from the settings."""

    slack: bool = False
    slack_channel: str | None = None
    teams: bool = False
    teams_channel: str | None = None
    official_emails: tuple[str, ...] = ()
    coordinators: tuple[str, ...] = ()
    fold_above: int = 20
    settle: timedelta = timedelta(seconds=30)
    max_wait: timedelta = timedelta(minutes=5)

    @classmethod
    def from_settings(cls, settings: Settings) -> Places:
        return cls(
            slack=settings.slack_bot_token is not None,
            slack_channel=settings.slack_channel,
            teams=settings.teams_service_url is not None,
            teams_channel=settings.teams_channel,
            official_emails=tuple(sorted(i for i in settings.officials if "@" in i)),
            coordinators=tuple(
                sorted(i for i, role in settings.officials.items() if role == Role.SAMORDNARE)
            ),
            fold_above=settings.notice_fold_above,
        )

    @property
    def chat(self) -> bool:
        return self.slack or self.teams

    def officials(self) -> list[str]:
        places = []
        if self.slack and self.slack_channel:
            places.append(f"slack:{self.slack_channel}")
        if self.teams and self.teams_channel:
            places.append(f"teams:{self.teams_channel}")
        return places

    def contact(self, ident: str) -> list[str]:
        if "@" in ident:
            return [] if self.chat else [f"email:{ident}"]
        if SLACK_USER.match(ident):
            return [f"slack:{ident}"] if self.slack else []
        return [f"teams:user:{ident}"] if self.teams else []

    def personal(self, ident: str) -> list[str]:
        """One official directly; by e-mail when their platform is not configured."""
        direct = self.contact(ident)
        return direct or ([f"email:{ident}"] if "@" in ident else [])

    def destinations(self, notice: UnroutedNotice) -> list[str]:
        if notice.audience == "samordnare":
            direct = [d for c in self.coordinators for d in self.personal(c)]
            return direct or self.officials() or [f"email:{a}" for a in self.official_emails]
        if notice.audience:
            return self.personal(notice.audience)
        found = self.officials()
        personal = notice.assigned_to and (notice.kind in PERSONAL_KINDS or not found)
        if personal and notice.assigned_to:
            found += [d for d in self.contact(notice.assigned_to) if d not in found]
        if not self.chat and not found:
            found = [f"email:{a}" for a in self.official_emails]
        return found


def plan(places: Places, notices: Sequence[UnroutedNotice], now: datetime) -> Routing | None:
    """The routing of one pass, or None to wait for a flood to settle."""
    wanted = {n.id: places.destinations(n) for n in notices}
    load = Counter(d for dests in wanted.values() for d in dests)
    flooded = {d for d, n in load.items() if n > places.fold_above}
    if flooded:
        newest = max(n.at for n in notices)
        oldest = min(n.at for n in notices)
        if now - newest < places.settle and now - oldest < places.max_wait:
            return None
    summaries = [_summary(d, [n for n in notices if d in wanted[n.id]]) for d in sorted(flooded)]
    alone = {i: [d for d in dests if d not in flooded] for i, dests in wanted.items()}
    return Routing(destinations=alone, summaries=summaries)


def _summary(to: str, notices: Sequence[UnroutedNotice]) -> Summary:
    kinds = Counter(n.kind or "notis" for n in notices)
    refs = sorted({n.ref for n in notices if n.ref})
    named = ", ".join(refs[:SUMMARY_REFS]) + (
        f" och {len(refs) - SUMMARY_REFS} till" if len(refs) > SUMMARY_REFS else ""
    )
    what = ", ".join(f"{n} {KIND_WORDS.get(k, k)}" for k, n in kinds.most_common())
    text = f"{len(notices)} notiser på en gång ({what})." + (f" Ärenden: {named}." if refs else "")
    return Summary(to=to, text=text, notice_ids=[n.id for n in notices])


KIND_WORDS = {
    "new_case": "nya ärenden",
    "quarantine": "i karantän",
    "overlap": "samordning",
    "reply": "svar",
    "reply_closed": "svar i avslutade ärenden",
    "reminder": "påminnelser",
    "mail_failed": "e-post som inte gick fram",
}
