"""Settings: built once at start-up from ``SAMVERKAN_*`` variables (and ``.env``), then passed down.

Nothing reads the environment anywhere else, so tests build a :class:`Settings` directly.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from samverkan.rules.phases import Role


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class TlsMode(StrEnum):
    SSL = "ssl"
    STARTTLS = "starttls"
    NONE = "none"


class MailBackend(StrEnum):
    """Where the contact mailbox is read: chosen by ``MAIL_BACKEND``, or by what is configured."""

    IMAP = "imap"
    GRAPH = "graph"
    MAILDIR = "maildir"


class KomplMode(StrEnum):
    """When a request for more information goes to the actor (``SAMVERKAN_KOMPLETTERING``)."""

    AUTO = "auto"  # at once, in the acknowledgement
    CONFIRM = "confirm"  # after the contact person has checked the case card in chat


class Settings(BaseSettings):
    """Every operator setting of SPEC §4. Secrets are ``SecretStr`` so they never reach a log."""

    model_config = SettingsConfigDict(
        env_prefix="SAMVERKAN_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite:///samverkan.db"

    imap_host: str | None = None
    imap_port: int | None = None
    imap_user: str | None = None
    imap_password: SecretStr | None = None
    imap_tls: TlsMode = TlsMode.SSL
    imap_folder: str = "INBOX"
    imap_processed_folder: str = "Samverkan/Behandlat"
    imap_quarantine_folder: str = "Samverkan/Karantän"
    imap_oauth2_token: SecretStr | None = None
    imap_oauth2_command: str | None = None
    maildir: Path = Path("maildir")
    mail_backend: MailBackend | None = None  # None: IMAP when a host is set, else the Maildir

    # Microsoft 365 without passwords: app-only tokens (client credentials) from Entra ID.
    m365_tenant_id: str | None = None
    m365_client_id: str | None = None
    m365_client_secret: SecretStr | None = None
    m365_certificate_file: Path | None = None  # PEM: the private key and its certificate
    m365_certificate_password: SecretStr | None = None
    m365_authority_url: str = "https://login.microsoftonline.com"
    graph_url: str = "https://graph.microsoft.com/v1.0"
    graph_mailbox: str | None = None  # the (shared) mailbox read and sent from over Graph
    graph_poll_seconds: float = 30.0  # how often the delta query asks for new mail
    graph_notification_url: str | None = None  # public https URL of /graph/notifications

    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_tls: TlsMode = TlsMode.STARTTLS
    contact_address: str = "samverkan@malmo.se"

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None
    slack_channel: str | None = None
    slack_intake_channel: str | None = None
    """A channel whose messages become applications (and their threads, the conversation)."""

    teams_app_id: str | None = None
    teams_app_password: SecretStr | None = None
    teams_tenant_id: str | None = None
    teams_anonymous: bool = False
    teams_service_url: str | None = None
    """The Bot Connector Teams messages are sent through (``https://smba.trafficmanager.net/
    emea/`` for Europe; tests point it at a local stand-in). Without it nothing is sent to
    Teams proactively."""
    teams_channel: str | None = None
    """The conversation id of the officials' Teams channel (``19:…@thread.tacv2``)."""

    rules_file: Path | None = None
    deadlines_file: Path | None = None
    officials: Annotated[dict[str, Role], NoDecode] = Field(default_factory=dict)
    http_port: int = 8080
    timezone: str = "Europe/Stockholm"
    chat_as: str | None = None  # who ``samverkan chat`` acts as without --as
    log_format: LogFormat = LogFormat.TEXT
    log_level: str = "INFO"

    komplettering: KomplMode = KomplMode.AUTO
    diarie_series: str = "TN-{year}-{seq:04d}"
    """Registration numbers (diarienummer): a format with ``{year}`` and ``{seq}``."""
    retention_file: Path | None = None

    tick_seconds: float = 30
    """How often ``serve`` runs the tick (reminders, then delivery)."""
    delivery_seconds: float = 5
    """How often ``serve`` drains the outbox between ticks."""
    notice_fold_above: int = 20
    """More notices than this to one place at once are folded into one summary."""

    @field_validator("diarie_series")
    @classmethod
    def _check_series(cls, value: str) -> str:
        try:
            first, second = value.format(year=2026, seq=1), value.format(year=2026, seq=2)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"'{value}' är ingen nummerserie med {{year}} och {{seq}}") from exc
        if first == second or "2026" not in first:
            raise ValueError(f"'{value}' måste innehålla både {{year}} och {{seq}}")
        return value

    @field_validator("officials", mode="before")
    @classmethod
    def _parse_officials(cls, value: object) -> object:
        """Accept the documented ``id:role,id:role`` form as well as a mapping."""
        if not isinstance(value, str):
            return value
        out: dict[str, str] = {}
        for item in filter(None, (part.strip() for part in value.split(","))):
            ident, sep, role = item.rpartition(":")
            if not sep or not ident:
                raise ValueError(
                    f"OFFICIALS: '{item}' ska ha formen id:roll "
                    "(roll kontaktperson eller samordnare)"
                )
            if role not in (Role.KONTAKTPERSON, Role.SAMORDNARE):
                raise ValueError(f"OFFICIALS: okänd roll '{role}' för {ident}")
            out[ident.lower() if "@" in ident else ident] = role
        return out

    def backend(self) -> MailBackend:
        """The mailbox backend in use: the configured one, else IMAP with a host, else Maildir."""
        if self.mail_backend is not None:
            return self.mail_backend
        return MailBackend.IMAP if self.imap_host else MailBackend.MAILDIR

    def m365_configured(self) -> bool:
        """True when Samverkan can get Microsoft 365 tokens itself: tenant, app, credential."""
        return bool(
            self.m365_tenant_id
            and self.m365_client_id
            and (self.m365_client_secret is not None or self.m365_certificate_file is not None)
        )

    def role_of(self, ident: str) -> Role | None:
        """The configured role of a Slack/Teams user id or e-mail address, if any."""
        return self.officials.get(ident.lower() if "@" in ident else ident)
