"""The ``samverkan`` command line: the operator's and the registrar's entry point.

Exit codes scripts can rely on: 0 done, 1 failed, 2 wrong usage, 3 no such case,
4 database unreachable or not initialised.

Commands are registered here by name and loaded only when run: ``samverkan --help`` and
``--version`` import nothing but this module, and ``samverkan cases`` imports what listing
cases needs, not Alembic, the mail pipeline or the chat SDKs. To add a command, write a
function (or a Typer group) in a module of this package and add one :class:`Entry` to
:data:`COMMANDS`; its summary is what the overview shows (a test keeps it equal to the first
line of the command's own help).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from samverkan import __version__

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_DATABASE = 4

PROG = "samverkan"


@dataclass(frozen=True)
class Entry:
    """One command: its name, where it lives (``module:attribute`` in this package), its summary."""

    name: str
    target: str
    summary: str


COMMANDS: tuple[Entry, ...] = (
    Entry("init", "setup:init", "Skapa eller uppgradera databasen och läs in referensdata."),
    Entry("cases", "cases:list_cases", "Lista ärenden."),
    Entry("show", "cases:show", "Visa ett ärende."),
    Entry("ingest", "ingest:ingest", "Läs in e-post genom samma flöde som den bevakade brevlådan."),
    Entry(
        "serve", "service:serve", "Kör tjänsten: brevlådan, schemaläggaren och HTTP-gränssnittet."
    ),
    Entry("tick", "service:tick", "Kör allt som är förfallet vid en tidpunkt, en gång."),
    Entry("chat", "chat:chat", "Kör ett chattkommando genom samma kärna som Slack och Teams."),
    Entry(
        "memo",
        "memo:memo",
        "Skriv ut utkastet till tjänsteskrivelse för ett ärende (Markdown, eller Word med --docx).",
    ),
    Entry(
        "outbox",
        "outbox:app",
        "Utkorgen: e-post och notiser som väntar, har skickats eller inte kunde skickas.",
    ),
    Entry(
        "stats", "stats:stats", "Statistik: ärenden per fas och område, tider, stöd, uppföljning."
    ),
    Entry("rules", "rules:app", "Regeluppsättningar för kriterierna."),
    Entry(
        "reminders",
        "reminders:reminders",
        "Kommande påminnelser: när, vilket ärende, varför.",
    ),
    Entry("deadlines", "reminders:deadlines_app", "Fristpolicyn: när påminnelserna infaller."),
    Entry(
        "officials", "officials:officials_app", "Handläggarregistret: namn, titel, roll och id:n."
    ),
    Entry("committee", "officials:committee_app", "Tekniska nämndens sammanträden."),
    Entry("person", "person:app", "Personuppgifter: utdrag och radering."),
    Entry(
        "postlista",
        "records:postlista",
        "Postlistan: de registrerade handlingarna under en period, som de får publiceras.",
    ),
    Entry(
        "gallra",
        "records:gallra",
        "Gallra enligt gallringsplanen och skriv gallringsloggen (--dry-run: bara visa).",
    ),
    Entry(
        "export",
        "export:export",
        "Exportera ärenden, beslut och uppföljning som CSV-filer eller en Excel-arbetsbok.",
    ),
    Entry(
        "teams-package",
        "apps:teams_package",
        "Bygg Teams-appens paket (manifest och ikoner) att ladda upp i Teams.",
    ),
    Entry(
        "slack-manifest",
        "apps:slack_manifest",
        "Skriv ut Slack-appens manifest (JSON) att skapa appen med.",
    ),
)


def overview() -> str:
    """The top-level help page, drawn from the registry without loading any command."""
    width = max(len(e.name) for e in COMMANDS)
    lines = [
        f"Användning: {PROG} [--version] [--help] KOMMANDO [ARG]...",
        "",
        "  Samverkan – intag och handläggning av ansökningar om samverkansstöd.",
        "",
        "Kommandon:",
        *(f"  {e.name.ljust(width)}  {e.summary}" for e in COMMANDS),
        "",
        "Flaggor:",
        "  --version  Visa versionen och avsluta.",
        "  --help     Visa den här hjälpen och avsluta.",
        "",
        f"Hjälp för ett kommando: {PROG} KOMMANDO --help",
    ]
    return "\n".join(lines) + "\n"


def _usage_error(message: str) -> int:
    sys.stderr.write(f"Fel: {message}. Hjälp: {PROG} --help\n")
    return EXIT_USAGE


def _entry(name: str) -> Entry | None:
    return next((e for e in COMMANDS if e.name == name), None)


def load_command(entry: Entry) -> Any:
    """The Click command behind an entry, imported now (and only now)."""
    import typer
    from typer.main import get_command

    from samverkan.bot.cli.swedish import SwedishCommand

    module_name, attribute = entry.target.split(":")
    target = getattr(import_module(f"{__name__}.{module_name}"), attribute)
    if not isinstance(target, typer.Typer):
        app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        app.command(entry.name, cls=SwedishCommand)(target)
        target = app
    return get_command(target)


def run_command(entry: Entry, args: list[str]) -> int:
    """Run one command with Typer's parsing, answering usage errors with one Swedish line."""
    from typer import Abort
    from typer._click.exceptions import NoArgsIsHelpError, UsageError

    from samverkan.bot.cli.swedish import usage_error_text

    command = load_command(entry)
    try:
        result = command.main(args=args, prog_name=f"{PROG} {entry.name}", standalone_mode=False)
    except NoArgsIsHelpError as exc:
        sys.stdout.write(exc.format_message() + "\n")
        return 0
    except UsageError as exc:
        path = exc.ctx.command_path if exc.ctx is not None else f"{PROG} {entry.name}"
        sys.stderr.write(f"Fel: {usage_error_text(exc).rstrip('.')}. Hjälp: {path} --help\n")
        return EXIT_USAGE
    except Abort:
        sys.stderr.write("Avbrutet.\n")
        return EXIT_FAILED
    return result if isinstance(result, int) else 0


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns the exit code instead of exiting (for tests)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        sys.stdout.write(overview())
        return 0
    if args[0] in ("-V", "--version"):
        sys.stdout.write(f"{PROG} {__version__}\n")
        return 0
    if args[0].startswith("-"):
        return _usage_error(f"Okänd flagga: {args[0]}")
    entry = _entry(args[0])
    if entry is None:
        from difflib import get_close_matches

        close = get_close_matches(args[0], [e.name for e in COMMANDS], n=1)
        hint = f" (menade du {close[0]}?)" if close else ""
        return _usage_error(f"Okänt kommando '{args[0]}'{hint}")
    return run_command(entry, args[1:])


__all__ = ["COMMANDS", "EXIT_DATABASE", "EXIT_FAILED", "EXIT_NOT_FOUND", "EXIT_USAGE", "main"]
