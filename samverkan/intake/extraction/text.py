"""Text as extraction reads it: folded letters, logical lines, and pieces (sentences, items).

Three rules hold for every writer:

* **Folding.** Many people write without å, ä and ö ("fastighetsagare", "soker"). ``fold``
  maps each such letter to its plain one, one character for one, so a pattern compiled from a
  folded word list matches both spellings and the match's positions are the same in the
  original text (evidence is quoted as the actor wrote it).
* **Logical lines.** Mail is hard-wrapped at 70–78 characters. A line is joined to the one
  before only when that one was wrapped (long, no closing punctuation) or when it starts in
  lower case; a short line ("Egen insats: 30 000 kr och ideell tid") ends where it ends, so a
  labelled value never takes the next line with it, and a heading stays its own piece.
* **Pieces.** Each logical line is cut into sentences; a list item is its own piece, and a
  sentence that introduces a list ("Våra mål är att:") keeps its items as one piece, so a quote
  is a whole sentence or a whole list.
"""

from __future__ import annotations

import re

__all__ = ["FOLD", "either", "fold", "fold_pattern", "logical_lines", "pieces"]

FOLD = str.maketrans("åäöÅÄÖéÉèÈüÜáÁæÆøØ", "aaoAAOeEeEuUaAaAoO")
_WRAP_WIDTH = 55
_END = re.compile(r"[.!?:;]\s*$")
_ITEM = re.compile(r"^\s*(?:[-*•–·▪]|\d{1,2}[.)]|[a-z][.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖÉ0-9\"'“”(–-])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:ca|t\.ex|bl\.a|m\.m|o\.s\.v|dvs|etc|nr|tel|org|ek|för|kl|st|resp|inkl|exkl"
    r"|jfr|e\.g|i\.e|approx|no)\.|\b[A-ZÅÄÖ]\.)$",
    re.IGNORECASE,
)
_LIST_INTRO = re.compile(r"(?::|\batt|\bär|\bsom|\bmed|\bbl\.a\.?|\bfollowing|\binclude)\s*$")
_SPACE = re.compile(r"[ \u00a0\u202f]+")


def fold(text: str) -> str:
    """The same text without diacritics, letter for letter (same length, same positions)."""
    return text.translate(FOLD)


def fold_pattern(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """Compile a pattern written with å/ä/ö to match folded text."""
    return re.compile(fold(pattern), flags)


_EITHER = {"å": "[åa]", "ä": "[äa]", "ö": "[öo]", "é": "[ée]", "Å": "[ÅA]", "Ä": "[ÄA]",
           "Ö": "[ÖO]"}  # fmt: skip


def either(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """Compile a pattern so each å, ä, ö, é in it also matches a, a, o, e (outside classes).

    For patterns searched in the original text: positions stay the writer's own.
    """
    out: list[str] = []
    in_class = escaped = False
    for char in pattern:
        if escaped:
            out.append(char)
            escaped = False
            continue
        if char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif not in_class and char in _EITHER:
            out.append(_EITHER[char])
            continue
        elif in_class and char in "åäöÅÄÖ":
            out.append(char + fold(char))
            continue
        out.append(char)
    return re.compile("".join(out), flags)


_LABEL_START = re.compile(r"^[^\s:|\t]{1,30}(?: [^\s:|\t]{1,30}){0,4} ?(?::|\t| \| )")


def _continues(previous: str, line: str) -> bool:
    """True when ``line`` carries on the logical line ``previous`` (a wrapped line)."""
    if _ITEM.match(line) or _LABEL_START.match(line):
        return False
    first = line.lstrip()[:1]
    if first.islower() or first in ",;)":
        return True
    return len(previous) >= _WRAP_WIDTH and not _END.search(previous)


def logical_lines(text: str) -> list[str]:
    """The text's lines with hard wraps undone; a blank line is kept as ``""``."""
    out: list[str] = []
    for raw in text.splitlines():
        line = _SPACE.sub(" ", raw.replace("\t", " \t ")).strip()
        if not line:
            if out and out[-1]:
                out.append("")
            continue
        if out and out[-1] and not out[-1].startswith(">") and _continues(out[-1], line):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def _sentences(line: str) -> list[str]:
    """One logical line cut into sentences, not at abbreviations ("ca.", "t.ex.", "ek. för.")."""
    out: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(line):
        # The longest abbreviation is 7 characters: its tail is enough, and looking only there
        # keeps a line of thousands of "X." linear.
        if _ABBREVIATION.search(line[max(start, match.start() - 16) : match.start()]):
            continue
        out.append(line[start : match.start()].strip())
        start = match.end()
    out.append(line[start:].strip())
    return [s for s in out if s]


def pieces(text: str) -> list[str]:
    """Sentences and list items; a list's intro and its items stay one piece."""
    out: list[str] = []
    intro_at: int | None = None
    for line in logical_lines(text):
        if not line:
            intro_at = None
            continue
        if line.startswith(">"):
            continue
        if _ITEM.match(line):
            item = _ITEM.sub("", line, count=1)
            if intro_at is not None:
                out[intro_at] = f"{out[intro_at]} {item.rstrip('.;,')};".strip()
            else:
                out.append(item)
            continue
        sentences = _sentences(line)
        out.extend(sentences)
        intro_at = len(out) - 1 if sentences and _LIST_INTRO.search(sentences[-1]) else None
    return [p.rstrip(";").strip() + ("." if p.endswith(";") else "") for p in out if p.strip()]
