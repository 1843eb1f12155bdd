"""What ``samverkan serve`` says at start: what is configured, what is not, and what that means.

An operator reading the first lines of the log should know, without reading the
documentation, whether replies will go out, where the mail comes from, and whether officials
will hear about new cases. Pure: settings in, ``(level, line)`` pairs out; no secret appears.
"""

from __future__ import annotations

import logging

from samverkan.config import MailBackend, Settings
from samverkan.storage.db import sqlite_file

INFO, WARNING = logging.INFO, logging.WARNING


def _database(settings: Settings) -> str:
    path = sqlite_file(settings.database_url)
    if path is not None:
        return f"Databas: SQLite {path}"
    url = settings.database_url
    scheme, _, rest = url.partition("://")
    host = rest.rpartition("@")[2]  # the part after any user:password@
    return f"Databas: {scheme.split('+')[0]} {host}"


def _mailbox(settings: Settings) -> tuple[int, str]:
    backend = settings.backend()
    if backend is MailBackend.GRAPH:
        return (
            INFO,
            f"Brevlåda: Microsoft Graph, {settings.graph_mailbox or '(GRAPH_MAILBOX saknas)'}",
        )
    if backend is MailBackend.IMAP:
        auth = (
            "XOAUTH2" if settings.imap_oauth2_token or settings.imap_oauth2_command else "lösenord"
        )
        return INFO, (
            f"Brevlåda: IMAP {settings.imap_host}:{settings.imap_port or 'standardport'} "
            f"({settings.imap_tls.value}, {auth}), mappen {settings.imap_folder}"
        )
    return WARNING, (
        f"Brevlåda: ingen IMAP- eller Graph-brevlåda är konfigurerad; e-post läses från den "
        f"lokala mappen {settings.maildir.resolve()}/new (sätt SAMVERKAN_IMAP_HOST för "
        "kontaktbrevlådan)"
    )


def _sending(settings: Settings) -> tuple[int, str]:
    if settings.smtp_host:
        return INFO, (
            f"Utgående e-post: SMTP {settings.smtp_host}:{settings.smtp_port or 587} "
            f"({settings.smtp_tls.value}), avsändare {settings.contact_address}"
        )
    if settings.backend() is MailBackend.GRAPH:
        return INFO, f"Utgående e-post: Microsoft Graph som {settings.graph_mailbox}"
    return WARNING, (
        "Utgående e-post: SMTP är inte konfigurerat (SAMVERKAN_SMTP_HOST); svar och "
        "påminnelser till sökande väntar i utkorgen och skickas först när det är det "
        "(se samverkan outbox --pending)"
    )


def _slack(settings: Settings) -> tuple[int, str]:
    if not settings.slack_bot_token:
        return INFO, "Slack: inte konfigurerat (SAMVERKAN_SLACK_BOT_TOKEN)"
    how = "Socket Mode" if settings.slack_app_token else "HTTP på /slack/events"
    if not settings.slack_channel:
        return WARNING, (
            f"Slack: {how}; ingen SAMVERKAN_SLACK_CHANNEL, så nya ärenden, karantän och "
            "påminnelser annonseras inte i någon kanal"
        )
    return INFO, f"Slack: {how}; notiser till kanalen {settings.slack_channel}"


def _teams(settings: Settings) -> tuple[int, str]:
    if settings.teams_anonymous:
        return WARNING, "Teams: /api/messages UTAN inloggning (TEAMS_ANONYMOUS=1, bara för test)"
    if settings.teams_app_id:
        return INFO, f"Teams: /api/messages för app-id {settings.teams_app_id}"
    return INFO, "Teams: inte konfigurerat (SAMVERKAN_TEAMS_APP_ID)"


def _officials(settings: Settings) -> tuple[int, str]:
    count = len(settings.officials)
    if count == 0:
        return WARNING, (
            "Handläggare: inga i SAMVERKAN_OFFICIALS; bara de som lagts till med "
            "samverkan officials add kan ändra ärenden"
        )
    return INFO, f"Handläggare: {count} i SAMVERKAN_OFFICIALS"


def configuration_report(settings: Settings) -> list[tuple[int, str]]:
    """The start-up lines, most important first, each with the level it is logged at."""
    chat_none = not settings.slack_bot_token and not settings.teams_app_id
    lines = [
        (INFO, _database(settings)),
        _mailbox(settings),
        _sending(settings),
        _slack(settings),
        _teams(settings),
        _officials(settings),
    ]
    if chat_none:
        lines.append((INFO, "Chatt: varken Slack eller Teams; handläggare använder samverkan chat"))
    return lines


def log_configuration(settings: Settings, log: logging.Logger) -> None:
    for level, line in configuration_report(settings):
        log.log(level, line)
