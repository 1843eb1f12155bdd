"""The ``samverkan`` command line: the operator's and the registrar's entry point.

Exit codes scripts can rely on: 0 done, 1 failed, 2 wrong usage, 3 no such case,
4 database unreachable or not initialised.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn
from zoneinfo import ZoneInfo

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.engine import Engine

from samverkan.bot.cli_registry import committee_app, officials_app
from samverkan.config import Settings
from samverkan.rules.phases import Phase
from samverkan.storage import cases as case_store
from samverkan.storage.case_view import CaseView, case_view
from samverkan.storage.db import (
    CaseNotFound,
    DatabaseUnavailable,
    NotInitialised,
    StorageError,
    make_engine,
    session_scope,
)
from samverkan.storage.setup import initialise, require_current_schema

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_DATABASE = 4

app = typer.Typer(
    name="samverkan",
    help="Samverkan – intag och handläggning av ansökningar om samverkansstöd.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    err.print(f"[bold red]Fel:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"SAMVERKAN_{'_'.join(str(p) for p in e['loc']).upper()}: "
            + e["msg"].removeprefix("Value error, ")
            for e in exc.errors()
        )
        fail(f"Ogiltig konfiguration – {problems}", EXIT_USAGE)


@contextmanager
def storage_errors() -> Iterator[None]:
    """Turn storage failures into one clear line and the documented exit code."""
    try:
        yield
    except CaseNotFound as exc:
        fail(str(exc), EXIT_NOT_FOUND)
    except (DatabaseUnavailable, NotInitialised) as exc:
        fail(str(exc), EXIT_DATABASE)
    except StorageError as exc:
        fail(str(exc))


@contextmanager
def database(settings: Settings) -> Iterator[Engine]:
    """The configured, initialised database, with storage errors turned into exit codes."""
    with storage_errors():
        engine = make_engine(settings.database_url)
        try:
            require_current_schema(engine)
            yield engine
        finally:
            engine.dispose()


def now_utc() -> datetime:
    return datetime.now(UTC)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command()
def init() -> None:
    """Skapa eller uppgradera databasen och läs in referensdata (säkert att köra flera gånger)."""
    settings = load_settings()
    with storage_errors():
        engine = make_engine(settings.database_url)
        report = initialise(engine, settings, now_utc())
    url = engine.url.render_as_string(hide_password=True)
    out.print(f"Databasen {url} är klar (schema {report.revision}).")
    out.print(
        f"Referensdata: {report.areas_changed} områden uppdaterade, "
        f"{report.processes_added} samverkansprocesser tillagda."
    )


def _phase_option(value: str | None) -> Phase | None:
    if value is None:
        return None
    try:
        return Phase(value)
    except ValueError:
        names = ", ".join(p.value for p in Phase)
        raise typer.BadParameter(f"okänd fas '{value}'. Faser: {names}") from None


@app.command("cases")
def list_cases(
    phase: Annotated[
        str | None, typer.Option("--phase", help="Visa bara ärenden i denna fas.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")] = False,
) -> None:
    """Lista ärenden."""
    wanted = _phase_option(phase)
    settings = load_settings()
    with database(settings) as engine, session_scope(engine) as session:
        rows = case_store.list_cases(session, phase=wanted)
        items: list[dict[str, Any]] = [
            {
                "ref": c.ref,
                "phase": c.phase.value,
                "title": c.title,
                "area": c.area_name,
                "assigned_to": c.assigned_to,
                "created_at": c.created_at.isoformat(),
            }
            for c in rows
        ]
    if as_json:
        print_json(items)
        return
    if not items:
        out.print("Inga ärenden.")
        return
    table = Table("Ärende", "Fas", "Område", "Titel", "Handläggare")
    for item in items:
        table.add_row(
            item["ref"],
            Phase(item["phase"]).label,
            item["area"] or "–",
            item["title"] or "–",
            item["assigned_to"] or "–",
        )
    out.print(table)


def render_case_text(view: CaseView) -> str:
    """A plain-text page for one case (the terminal has no markup to escape)."""
    case, app = view.case, view.case.application
    lines = [
        f"{case.ref} – {case.title or '(utan titel)'}",
        f"Fas: {case.phase.label}",
        f"Område: {app.area.name if app.area else '–'}",
        f"Sökande: {app.organisation or '–'} ({app.orgnr or 'org.nr saknas'})",
        f"Kontaktperson: {app.contact_name or '–'}, {app.email or '–'}",
        f"Aktörer: {', '.join(a.value for a in app.actors) or '–'}",
    ]
    if view.criteria is not None:
        evaluation = view.criteria.evaluation
        lines.append(f"Bedömning ({evaluation.ruleset}): {evaluation.outcome.value}")
        lines += [f"  {r.id}: {r.status.value} – {r.reason}" for r in evaluation.results]
    lines.append("Historik:")
    lines += [
        f"  {h.at.isoformat()} {h.by}: {h.from_phase.value if h.from_phase else '–'} → "
        f"{h.to_phase.value} {h.why}"
        for h in view.history
    ]
    return "\n".join(lines)


@app.command()
def show(
    ref: Annotated[str, typer.Argument(help="Ärendets referens, t.ex. SAM-2026-0001.")],
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")] = False,
    full: Annotated[
        bool, typer.Option("--full", help="Visa personnummer omaskerade (registrator).")
    ] = False,
) -> None:
    """Visa ett ärende."""
    from samverkan.rules.personal import mask_data, mask_identity_numbers

    settings = load_settings()
    with database(settings) as engine, session_scope(engine) as session:
        view = case_view(session, case_store.get_case(session, ref))
    if as_json:
        shown = view.to_dict()
        print_json(shown if full else mask_data(shown))
    else:
        text = render_case_text(view)
        sys.stdout.write((text if full else mask_identity_numbers(text)) + "\n")


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help=".eml-filer, mappar med sådana, Maildir eller mbox-filer.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Ett JSON-objekt per meddelande.")
    ] = False,
    no_send: Annotated[
        bool, typer.Option("--no-send", help="Skicka inte svaren nu; tjänsten skickar dem.")
    ] = False,
) -> None:
    """Läs in e-post genom samma flöde som den bevakade brevlådan."""
    from samverkan.intake.feeders.files import SourceError, count_messages, iter_messages
    from samverkan.intake.pipeline import Intake
    from samverkan.intake.smtp import send_pending, smtp_configured
    from samverkan.rules.ruleset import RuleSetError

    settings = load_settings()
    for path in paths:
        if not path.exists():
            fail(f"Hittar inte {path}", EXIT_USAGE)
    with database(settings) as engine:
        try:
            intake = Intake(engine, settings)
        except RuleSetError as exc:
            fail(str(exc))
        counts: dict[str, int] = {}
        show_progress = not as_json and err.is_terminal
        total = count_messages(paths) if show_progress else None
        with Progress(console=err, disable=not show_progress, transient=True) as progress:
            task = progress.add_task("Läser in", total=total)
            try:
                messages = ((raw.data, raw.source) for raw in iter_messages(paths))
                for result in intake.process_all(messages):
                    counts[result.outcome.value] = counts.get(result.outcome.value, 0) + 1
                    progress.advance(task)
                    if as_json:
                        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
                    elif not show_progress:
                        out.print(
                            f"{result.source}: {result.outcome.value}"
                            + (f" {result.case}" if result.case else "")
                            + (f" ({result.reason})" if result.reason else "")
                        )
            except SourceError as exc:
                fail(str(exc), EXIT_USAGE)
        if smtp_configured(settings) and not no_send:
            report = send_pending(engine, settings, now_utc())
            if not as_json:
                out.print(f"Skickade {len(report.sent)} svar.")
    if not as_json:
        summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "inga meddelanden"
        err.print(f"Klart: {summary}.")


@app.command()
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Adress för HTTP-gränssnittet (/healthz, chatt).")
    ] = "127.0.0.1",
) -> None:
    """Kör tjänsten: brevlådan, schemaläggaren och HTTP-gränssnittet."""
    from samverkan.bot.serve import ConfigurationError
    from samverkan.bot.serve import serve as run_service
    from samverkan.rules.ruleset import RuleSetError

    settings = load_settings()
    configure_logging()
    with database(settings) as engine:
        try:
            run_service(settings, engine, host=host)
        except (RuleSetError, ConfigurationError) as exc:
            fail(str(exc))


@app.command()
def tick(
    now: Annotated[
        str | None, typer.Option("--now", help="Tidpunkt (ISO 8601) att köra som; standard nu.")
    ] = None,
) -> None:
    """Kör allt som är förfallet vid en tidpunkt, en gång, som schemaläggaren gör."""
    from samverkan.bot.tick import run_tick

    at = parse_moment(now) if now else now_utc()
    settings = load_settings()
    with database(settings) as engine:
        done = run_tick(engine, settings, at)
    for line in done:
        out.print(line)
    out.print(f"Klart vid {at.isoformat()}: {len(done)} åtgärder.")


def parse_moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' är ingen tidpunkt i ISO 8601") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(load_settings().timezone))
    return moment


def configure_logging() -> None:
    from samverkan.rules.personal import MaskIdentityNumbers

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(MaskIdentityNumbers())


rules_app = typer.Typer(help="Regeluppsättningar för kriterierna.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("check")
def rules_check(
    file: Annotated[Path, typer.Argument(help="Regelfilen att kontrollera (TOML).")],
) -> None:
    """Kontrollera en regelfil och skriv ut dess kriterier; ett fel anges med radnummer."""
    from samverkan.rules.ruleset import RuleSetError, describe_ruleset, load_ruleset

    try:
        ruleset = load_ruleset(file)
    except RuleSetError as exc:
        fail(str(exc))
    sys.stdout.write(describe_ruleset(ruleset) + "\n")


@app.command()
def memo(
    ref: Annotated[str, typer.Argument(help="Ärendets referens.")],
) -> None:
    """Skriv ut utkastet till tjänsteskrivelse för ett ärende (Markdown)."""
    from samverkan.bot.memo import memo_markdown

    settings = load_settings()
    with database(settings) as engine:
        text = memo_markdown(engine, settings, ref, today=now_utc().date())
    sys.stdout.write(text)


@app.command()
def chat(
    text: Annotated[
        list[str], typer.Argument(help='Kommandot, t.ex. "visa SAM-2026-0001" eller "hjälp".')
    ],
    who: Annotated[
        str | None,
        typer.Option(
            "--as",
            envvar="SAMVERKAN_CHAT_AS",
            help="Handläggaren du agerar som (id eller e-post ur OFFICIALS).",
        ),
    ] = None,
) -> None:
    """Kör ett chattkommando genom samma kärna som Slack och Teams och skriv ut svaret."""
    from samverkan.bot.dispatch import Dispatcher, Platform, needs_identity
    from samverkan.bot.reply import ReplyStatus, to_plain_text
    from samverkan.intake.pipeline import Intake
    from samverkan.rules.ruleset import RuleSetError

    line = " ".join(text)
    if not who and needs_identity(line):
        fail("Ange vem du är med --as ID (eller SAMVERKAN_CHAT_AS).", EXIT_USAGE)
    settings = load_settings()
    with database(settings) as engine:
        try:
            intake = Intake(engine, settings)
        except RuleSetError as exc:
            fail(str(exc))
        answer = Dispatcher(engine, settings, intake, now_utc).dispatch(line, who, Platform.CLI)
    sys.stdout.write(to_plain_text(answer))
    codes = {
        ReplyStatus.OK: 0,
        ReplyStatus.USAGE: EXIT_USAGE,
        ReplyStatus.NOT_FOUND: EXIT_NOT_FOUND,
    }
    if answer.status is not ReplyStatus.OK:
        raise typer.Exit(codes.get(answer.status, EXIT_FAILED))


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")] = False,
) -> None:
    """Statistik: ärenden per fas och område, handläggningstider, beviljat stöd, uppföljning."""
    from samverkan.bot.reply import to_plain_text
    from samverkan.bot.views import stats_reply
    from samverkan.storage.statistics import statistics

    settings = load_settings()
    with database(settings) as engine, session_scope(engine) as session:
        if as_json:
            print_json(statistics(session).to_dict())
            return
        text = to_plain_text(stats_reply(session))
    sys.stdout.write(text)


app.add_typer(officials_app, name="officials")
app.add_typer(committee_app, name="committee")

person_app = typer.Typer(help="Personuppgifter: utdrag och radering.", no_args_is_help=True)
app.add_typer(person_app, name="person")


@person_app.command("export")
def person_export(email: Annotated[str, typer.Argument(help="Personens e-postadress.")]) -> None:
    """Allt som finns lagrat om en person, som JSON (registerutdrag)."""
    from samverkan.storage.people import export_person

    settings = load_settings()
    with database(settings) as engine, session_scope(engine) as session:
        print_json(export_person(session, email))


@person_app.command("erase")
def person_erase(email: Annotated[str, typer.Argument(help="Personens e-postadress.")]) -> None:
    """Radera det som får raderas; allmänna handlingar i ärenden bevaras enligt arkivlagen."""
    from samverkan.storage.people import erase_person

    settings = load_settings()
    with database(settings) as engine, session_scope(engine) as session:
        report = erase_person(session, email)
    out.print(
        f"Raderade {report.erased_messages} meddelanden och "
        f"{report.erased_attachments} bilagor som inte hör till något ärende."
    )
    for line in report.kept:
        out.print(f"Bevaras: {line}")


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns the exit code instead of exiting (for tests)."""
    try:
        app(args=argv, prog_name="samverkan")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_FAILED)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
