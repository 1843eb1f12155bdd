"""Typer's own words in Swedish: the help page, the usage line and usage errors.

Typer ships its own copy of Click with the English strings written into the code (there is no
gettext catalogue to install), so the command classes here draw the help page from the
parameters themselves, and :func:`usage_error_text` words an error from the exception's fields
instead of translating its English sentence. A test renders every command's help and checks
that no English word of Typer's is left.
"""

from __future__ import annotations

import re
from typing import Any

import typer
from typer._click import Context, HelpFormatter, Parameter
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoSuchOption,
    UsageError,
)
from typer.core import TyperCommand, TyperGroup

HELP_TEXT = "Visa den här hjälpen och avsluta."
USAGE_PREFIX = "Användning: "

# Type names Typer shows for a value, as an official reads them.
_METAVARS = {"str": "TEXT", "path": "SÖKVÄG", "int": "HELTAL", "float": "TAL", "date": "DATUM"}


def _metavar(param: Any, ctx: Context) -> str:
    """The placeholder shown for a value: the declared metavar, else a Swedish type word
    for an option and the parameter's name for an argument."""
    if param.metavar:
        return str(param.metavar)
    if param.param_type_name == "argument":
        shown = (param.name or "").upper()
    else:
        kind = str(param.display_type(ctx) or "").strip("<>").lower()
        shown = _METAVARS.get(kind, kind.upper())
    return f"{shown}..." if getattr(param, "nargs", 1) == -1 else shown


def _option_row(param: Parameter, ctx: Context) -> tuple[str, str]:
    names = ", ".join([*param.opts, *param.secondary_opts])
    if not getattr(param, "is_flag", False):
        names += f" {_metavar(param, ctx)}"
    text = getattr(param, "help", None) or ""
    if param.required:
        text = f"{text} [krävs]".strip()
    return names, text


def _argument_row(param: Parameter, ctx: Context) -> tuple[str, str]:
    text = getattr(param, "help", None) or ""
    return _metavar(param, ctx), text


def _usage(command: Any, ctx: Context) -> str:
    pieces = [command.options_metavar]
    for param in command.get_params(ctx):
        if param.param_type_name == "argument":
            name = _metavar(param, ctx)
            pieces.append(name if param.required else f"[{name}]")
    return " ".join(pieces)


def _format_parameters(command: Any, ctx: Context, formatter: HelpFormatter) -> None:
    arguments, options = [], []
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        if param.param_type_name == "argument":
            arguments.append(_argument_row(param, ctx))
        elif param.param_type_name == "option":
            options.append(_option_row(param, ctx))
    if arguments:
        with formatter.section("Argument"):
            formatter.write_dl(arguments)
    if options:
        with formatter.section("Flaggor"):
            formatter.write_dl(options)


class _SwedishHelp:
    """What a command and a group share: the help option's text and the usage line."""

    def get_help_option(self, ctx: Context) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option

    def usage_tail(self, ctx: Context) -> str:
        return _usage(self, ctx)

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, self.usage_tail(ctx), prefix=USAGE_PREFIX)


class SwedishCommand(_SwedishHelp, TyperCommand):
    """A command whose help page and usage line are in Swedish, drawn without rich."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["options_metavar"] = "[FLAGGOR]"
        super().__init__(*args, **kwargs)

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        self.format_usage(ctx, formatter)
        self.format_help_text(ctx, formatter)
        _format_parameters(self, ctx, formatter)
        self.format_epilog(ctx, formatter)


class SwedishGroup(_SwedishHelp, TyperGroup):
    """A group of commands (``rules``, ``person``) with a Swedish help page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options_metavar = "[FLAGGOR]"
        self.subcommand_metavar = "KOMMANDO [ARG]..."

    def usage_tail(self, ctx: Context) -> str:
        sub = self.subcommand_metavar
        return f"{_usage(self, ctx)} {f'[{sub}]' if self.invoke_without_command else sub}"

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        self.format_usage(ctx, formatter)
        self.format_help_text(ctx, formatter)
        _format_parameters(self, ctx, formatter)
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=200)))
        if rows:
            with formatter.section("Kommandon"):
                formatter.write_dl(rows)


def group(help_text: str, *, runs_alone: bool = False) -> typer.Typer:
    """A Typer group (``samverkan NAME KOMMANDO``) with Swedish help; add commands with
    ``@app.command("namn", cls=SwedishCommand)``. It stays a group with a single command.

    ``runs_alone``: the group does something itself without a command (``samverkan outbox``
    lists); then give it its own ``@app.callback(invoke_without_command=True)``.
    """
    app = typer.Typer(
        cls=SwedishGroup,
        help=help_text,
        no_args_is_help=not runs_alone,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    if not runs_alone:
        app.callback()(_group_callback)
    return app


def _group_callback() -> None:
    """Without a callback Typer would run a group's only command without its name."""


def _hint(exc: BadParameter) -> str:
    if exc.param_hint is not None:
        hint = exc.param_hint
        return " / ".join(hint) if isinstance(hint, list | tuple) else str(hint)
    if exc.param is not None:
        opts = getattr(exc.param, "opts", None) or []
        if exc.param.param_type_name == "option" and opts:
            return " / ".join(f"'{o}'" for o in opts)
        return f"'{(exc.param.metavar or exc.param.name or '').upper()}'"
    return ""


# Click's remaining sentences, matched whole; anything else is shown as it came.
_SENTENCES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Option '(.+)' does not take a value\."), "Flaggan '{0}' tar inget värde."),
    (re.compile(r"Option '(.+)' requires an argument\."), "Flaggan '{0}' behöver ett värde."),
    (re.compile(r"Option '(.+)' requires (\d+) arguments\."), "Flaggan '{0}' behöver {1} värden."),
    (re.compile(r"Got unexpected extra argument\(s\) \((.*)\)"), "Oväntade argument: {0}"),
    (re.compile(r"No such command '(.+)'\..*"), "Okänt kommando '{0}'."),
    (re.compile(r"Missing command\."), "Ange ett kommando."),
    (re.compile(r"'(.*)' is not a valid integer(?: range)?\."), "'{0}' är inget heltal."),
    (re.compile(r"'(.*)' is not a valid float(?: range)?\."), "'{0}' är inget tal."),
]


def _sentence(message: str) -> str:
    for pattern, swedish in _SENTENCES:
        found = pattern.fullmatch(message.strip())
        if found:
            return swedish.format(*found.groups())
    return message


def usage_error_text(exc: UsageError) -> str:
    """One Swedish sentence for a usage error, built from the exception's own fields."""
    if isinstance(exc, MissingParameter):
        kind = "flagga" if exc.param and exc.param.param_type_name == "option" else "argument"
        return f"Saknar {kind} {_hint(exc)}.".replace("  ", " ")
    if isinstance(exc, NoSuchOption):
        text = f"Okänd flagga: {exc.option_name}"
        if exc.possibilities:
            text += f" (menade du {', '.join(sorted(exc.possibilities))}?)"
        return text
    if isinstance(exc, BadOptionUsage):
        return _sentence(exc.message)
    if isinstance(exc, BadParameter):
        hint = _hint(exc)
        detail = _sentence(exc.message)
        return f"Ogiltigt värde för {hint}: {detail}" if hint else f"Ogiltigt värde: {detail}"
    return _sentence(exc.message)
