"""Line numbers for TOML files that officials edit (the rule set, and policies like it).

``tomllib`` forgets positions once a file parses, and its syntax errors are in English. A
mistake in a file an official maintains must be named in Swedish with its line, so these
helpers find the line of every key and turn a syntax error into a Swedish sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["key_lines", "translate_syntax_error"]

# --- finding lines ------------------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _read_key(s: str) -> tuple[tuple[str, ...], str] | None:
    """Split a (dotted, possibly quoted) TOML key off the front of ``s``."""
    parts: list[str] = []
    rest = s.lstrip()
    while True:
        if rest[:1] in ('"', "'"):
            quote = rest[0]
            end = rest.find(quote, 1)
            if end < 0:
                return None
            parts.append(rest[1:end])
            rest = rest[end + 1 :]
        else:
            m = _BARE_KEY.match(rest)
            if not m:
                return None
            parts.append(m.group())
            rest = rest[m.end() :]
        rest = rest.lstrip()
        if not rest.startswith("."):
            return tuple(parts), rest
        rest = rest[1:].lstrip()


@dataclass
class _ScanState:
    depth: int = 0
    """Open ``[`` and ``{`` in a value that continues on the next line."""
    multiline: str = ""
    """The delimiter of a multi-line string still open, or empty."""


def _scan_value(s: str, state: _ScanState) -> None:
    """Advance through a value's text, tracking strings and brackets across lines."""
    i = 0
    while i < len(s):
        if state.multiline:
            end = s.find(state.multiline, i)
            if end < 0:
                return
            i = end + 3
            state.multiline = ""
            continue
        ch = s[i]
        if ch == "#":
            return
        if s.startswith('"""', i) or s.startswith("'''", i):
            state.multiline = s[i : i + 3]
            i += 3
            continue
        if ch in "\"'":
            j = i + 1
            while j < len(s) and s[j] != ch:
                j += 2 if ch == '"' and s[j] == "\\" else 1
            i = j + 1
            continue
        if ch in "[{":
            state.depth += 1
        elif ch in "]}":
            state.depth = max(0, state.depth - 1)
        i += 1


def _record(lines: dict[tuple[str, ...], int], path: tuple[str, ...], number: int) -> None:
    """Note where ``path`` and, implicitly, each of its parents first appear."""
    for end in range(1, len(path) + 1):
        lines.setdefault(path[:end], number)


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Map each table and key path in TOML text to the line (1-based) where it is written.

    tomllib forgets positions once a file parses; this lets a semantic mistake (a wrong
    type, an unknown name) point at the line the official has to change.
    """
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    state = _ScanState()
    for number, line in enumerate(text.splitlines(), start=1):
        if state.multiline or state.depth:
            _scan_value(line, state)
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("["):
            inner = stripped[2:] if stripped.startswith("[[") else stripped[1:]
            parsed = _read_key(inner)
            if parsed is not None and parsed[1].startswith("]"):
                table = parsed[0]
                _record(lines, table, number)
            continue
        parsed = _read_key(stripped)
        if parsed is None or not parsed[1].startswith("="):
            continue
        _record(lines, (*table, *parsed[0]), number)
        _scan_value(parsed[1][1:], state)
    return lines


# --- syntax errors --------------------------------------------------------------------------

_SYNTAX_HINTS: tuple[tuple[str, str], ...] = (
    (
        "Invalid value",
        'Värdet går inte att läsa. Text ska stå inom citattecken ("…"); tal, '
        "datum och true/false skrivs utan.",
    ),
    ("Unterminated string", "En text saknar sitt avslutande citattecken."),
    ("Unclosed array", "En lista saknar sin avslutande hakparentes ]."),
    ("Unclosed inline table", "En tabell inom klamrar saknar sin avslutande }."),
    ("Expected '=' after a key", "Efter ett namn ska det stå = och ett värde."),
    (
        "Expected newline or end of document",
        "Efter värdet står något mer på samma rad. Skriv "
        "en inställning per rad och sätt text inom citattecken.",
    ),
    (
        "Invalid initial character for a key",
        "Raden börjar med ett tecken som inte kan inleda "
        "ett namn. Använd bokstäver a–z, siffror, _ och -.",
    ),
    ("Cannot declare", "Samma rubrik förekommer två gånger. Ta bort eller slå ihop den ena."),
    ("Cannot overwrite a value", "Samma inställning förekommer två gånger. Ta bort den ena."),
    (
        "Cannot mutate immutable namespace",
        "Samma inställning förekommer två gånger. Ta bort den ena.",
    ),
    ("Duplicate inline table key", "Samma namn förekommer två gånger inom klamrarna."),
    ("Expected ']' at the end of a table", "En rubrik saknar sin avslutande hakparentes ]."),
    ("Invalid date or datetime", "Datumet är ogiltigt. Skriv det som ÅÅÅÅ-MM-DD."),
    ("Unescaped '\\' in a string", "Ett omvänt snedstreck \\ i en text måste skrivas \\\\."),
    (
        "Illegal character",
        "Texten innehåller ett otillåtet tecken (till exempel en tabb eller "
        "en radbrytning inom en enkel text).",
    ),
)

_POSITION = re.compile(r"\(at (?:line (\d+), column \d+|end of document)\)\s*$")


def translate_syntax_error(message: str, text: str) -> tuple[int, str]:
    """Turn tomllib's English message into a Swedish one and the line it names."""
    m = _POSITION.search(message)
    line = int(m.group(1)) if m and m.group(1) else max(1, len(text.splitlines()))
    bare = message[: m.start()].strip() if m else message
    for prefix, hint in _SYNTAX_HINTS:
        if bare.startswith(prefix):
            return line, f"Filen kan inte läsas: {hint}"
    return line, f"Filen kan inte läsas ({bare})."
