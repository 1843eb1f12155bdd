"""Where a notice goes: pure decisions from the configured places and the case's contact.

Notices are queued without an address; when the drainer routes them, each gets one
destination per place the officials work (:class:`Places`, built from the settings):

- the officials' channel in Slack and in Teams, when configured;
- the case's contact person directly, for what concerns their case (a reminder, an
  actor's reply), by the ids the officials' registry holds for them (Slack, Teams), so an
  official added in chat or with ``samverkan officials add`` is reached at once; an id the
  registry does not know is reached on the platform its shape belongs to;
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
from samverkan.rules.officials import Official, Platform, normalise_ident, platform_of
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
    """The configured places officials read, from the settings, and the officials' registry:
    how each official is reached (their Slack id, Teams id and e-mail address)."""

    slack: bool = False
    slack_channel: str | None = None
    teams: bool = False
    teams_channel: str | None = None
    officials: tuple[Official, ...] = ()
    """The active officials; an id none of them has is reached by its shape alone."""
    fold_above: int = 20
    settle: timedelta = timedelta(seconds=30)
    max_wait: timedelta = timedelta(minutes=5)

    @classmethod
    def from_settings(
        cls, settings: Settings, officials: Sequence[Official] | None = None
    ) -> Places:
        """The places of the settings; ``officials`` from the registry, or (None) those the
        settings name, each reached by its id's shape."""
        if officials is None:
            officials = [_by_shape(i, role) for i, role in sorted(settings.officials.items())]
        return cls(
            slack=settings.slack_bot_token is not None,
            slack_channel=settings.slack_channel,
            teams=settings.teams_service_url is not None,
            teams_channel=settings.teams_channel,
            officials=tuple(officials),
            fold_above=settings.notice_fold_above,
        )

    @property
    def chat(self) -> bool:
        return self.slack or self.teams

    @property
    def coordinators(self) -> list[Official]:
        return [o for o in self.officials if o.role is Role.SAMORDNARE]

    @property
    def official_emails(self) -> list[str]:
        return sorted({o.email for o in self.officials if o.email})

    def official(self, ident: str) -> Official:
        """The registered official with this id, or one known by the id alone."""
        wanted = normalise_ident(ident)
        for official in self.officials:
            if wanted in official.ids:
                reached = official.email or official.slack_id or official.teams_id
                return official if reached else _by_shape(official.ident, official.role)
        return _by_shape(wanted, Role.KONTAKTPERSON)

    def officials_places(self) -> list[str]:
        places = []
        if self.slack and self.slack_channel:
            places.append(f"slack:{self.slack_channel}")
        if self.teams and self.teams_channel:
            places.append(f"teams:{self.teams_channel}")
        return places

    def contact(self, ident: str) -> list[str]:
        """An official directly, on each configured chat platform they have an id on; by
        e-mail when no chat platform is configured."""
        official = self.official(ident)
        if not self.chat:
            return [f"email:{official.email}"] if official.email else []
        found = []
        if self.slack and official.slack_id and SLACK_USER.match(official.slack_id):
            found.append(f"slack:{official.slack_id}")
        if self.teams and official.teams_id:
            found.append(f"teams:user:{official.teams_id}")
        return found

    def personal(self, ident: str) -> list[str]:
        """One official directly; by e-mail when their platform is not configured."""
        email = self.official(ident).email
        return self.contact(ident) or ([f"email:{email}"] if email else [])

    def destinations(self, notice: UnroutedNotice) -> list[str]:
        if notice.audience == "samordnare":
            direct = [d for c in self.coordinators for d in self.personal(c.ident)]
            return direct or self.officials_places() or [f"email:{a}" for a in self.official_emails]
        if notice.audience:
            return self.personal(notice.audience)
        found = self.officials_places()
        personal = notice.assigned_to and (notice.kind in PERSONAL_KINDS or not found)
        if personal and notice.assigned_to:
            found += [d for d in self.contact(notice.assigned_to) if d not in found]
        if not self.chat and not found:
            found = [f"email:{a}" for a in self.official_emails]
        return found


def _by_shape(ident: str, role: Role) -> Official:
    """An official known only by one id: an address, a Slack id, or else a Teams id."""
    ident = normalise_ident(ident)
    platform = platform_of(ident)
    return Official(
        ident=ident,
        role=role,
        email=ident if platform is Platform.EMAIL else None,
        slack_id=ident if platform is Platform.SLACK else None,
        teams_id=ident if platform in (Platform.TEAMS, Platform.OTHER) else None,
    )


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
