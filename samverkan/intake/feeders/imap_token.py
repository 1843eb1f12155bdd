"""Where the IMAP watcher's XOAUTH2 token comes from: a configured token, an operator's command
that prints one, or Samverkan's own Microsoft 365 client credentials (``m365.token``).
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Callable

from samverkan.config import Settings
from samverkan.intake.m365.token import EXCHANGE_SCOPE, M365Auth, TokenUnavailable, shared_auth


class ImapConfigError(Exception):
    """The IMAP settings cannot work as given (no user, no credentials, a failing token command)."""


def oauth2_token(
    settings: Settings,
    *,
    run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run,
    timeout: float = 30.0,
    auth: M365Auth | None = None,
) -> str | None:
    """The XOAUTH2 access token: the configured one, a fresh one printed by the command, or
    (with Microsoft 365 credentials and no password) one Samverkan gets from Entra itself.

    The command runs without a shell; its output is never logged.
    """
    if settings.imap_oauth2_token is not None:
        return settings.imap_oauth2_token.get_secret_value()
    if not settings.imap_oauth2_command:
        if settings.imap_password is None and (auth := auth or shared_auth(settings)):
            try:
                return auth.token(EXCHANGE_SCOPE)
            except TokenUnavailable as exc:
                raise ImapConfigError(str(exc)) from exc
        return None
    args = shlex.split(settings.imap_oauth2_command)
    if not args:
        raise ImapConfigError("IMAP_OAUTH2_COMMAND är tomt")
    try:
        done = run(args, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ImapConfigError(
            f"Tokenkommandot {args[0]} svarade inte inom {timeout:.0f} s"
        ) from exc
    except OSError as exc:
        raise ImapConfigError(f"Tokenkommandot {args[0]} gick inte att köra: {exc}") from exc
    if done.returncode != 0:
        raise ImapConfigError(f"Tokenkommandot {args[0]} avslutades med kod {done.returncode}")
    token = done.stdout.strip()
    if not token:
        raise ImapConfigError(f"Tokenkommandot {args[0]} skrev ingen token")
    return token
