"""Malmö's districts and neighbourhoods, and how actors write them.

The places are data (``rules/data/gazetteer.toml``: the delområden with their stadsdel and
stadsområde, and the places outside Malmö; ``rules/data/streets.toml``: streets, squares and
landmarks, each under the area it lies in) so an official can add a neighbourhood or a street
without a release. Matching works on word tokens and a dictionary of token sequences instead of
one large regex alternation: a text is scanned once, and each position costs a few dict
look-ups whatever the size of the gazetteer. That keeps intake fast and makes word boundaries
explicit ("Lund" is never found inside "Sofielund" or "Lundavägen").
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from samverkan.rules.model import Area

__all__ = ["Gazetteer", "GazetteerError", "Mention"]

_TOKEN = re.compile(r"\w+")
# What may separate the words of one place name: spaces, a line break, a hyphen or a slash.
_GAP = re.compile(r"[ \t\r\n\u00a0]*[-/–]?[ \t\r\n\u00a0]*")
_PLACE_PHRASE = re.compile(
    r"\b(?:området|stadsdelen|kvarteret|bostadsområdet|delområdet)\s+"
    r"(?P<a>[A-ZÅÄÖ][\w-]+(?:\s+[A-ZÅÄÖ][\w-]+)?)"
    r"|\b(?P<b>[A-ZÅÄÖ][a-zåäöé]+)-?området\b"
)
_ABBREVIATION = re.compile(r"[A-ZÅÄÖ]{2,4}")
# Words that say "this is the area we apply for": "stöd för X", "området är X", "Område: X".
_CLAIM = re.compile(
    r"(?:\b(?:stöd|samverkansstöd|samverkan|ansökan|ansöker|söker)\s+(?:för|i|på|gällande|avseende)"
    r"(?:\s+(?:området|stadsdelen|delområdet))?"
    r"|\b[Oo]mrådet(?:\s+\w+){0,3}\s+är|\b[Oo]mråde:|\bsupport for|\bapply for)\s*$"
)
_RESOLVE_NOISE = re.compile(
    r"^(?:i|på|inom|in|området|stadsdelen|delområdet)\s+|[\s,]+(?:i\s+)?malmö(?:\s+stad)?$",
    re.IGNORECASE,
)
# Possessive and anchored at the start of a run, so a long run of letters or digits without an
# "@" is scanned once, not once per position.
_ADDRESS = re.compile(
    r"(?<![\w.+-])[\w.+-]++@[\w-]+(?:\.[\w-]+)+|\b(?:https?://|www\.)\S+", re.IGNORECASE
)


class GazetteerError(ValueError):
    """The gazetteer data is inconsistent (unknown parent, duplicate name, cycle)."""


@dataclass(frozen=True)
class _Entry:
    area: Area
    capitalised: bool
    free_text: bool
    written: tuple[str, ...] = ()
    """The name as spelt, for names that are also words: "Ön" is not the folded "on"."""


@dataclass(frozen=True)
class Mention:
    """One place found in a text: the area, the words as written and where they start."""

    area: Area
    words: str
    start: int


# Names are compared folded, so "Kroksback" and "Mollevangen" are found as written without
# å, ä and ö. One letter for one: positions in the text do not move.
_FOLD = str.maketrans("åäöéüÅÄÖÉÜ", "aaoeuAAOEU")
# "Oxie centrum", "Arlövs centrum": the centre of the place just named, not the city core.
_CENTRE_WORDS = frozenset({"centrum", "centrumet", "centret", "center", "centre", "torg", "torget"})


def _fold(word: str) -> str:
    return word.lower().translate(_FOLD)


def _key(name: str) -> tuple[str, ...]:
    return tuple(_fold(t) for t in _TOKEN.findall(name))


class Gazetteer:
    """Resolves Swedish place names to :class:`Area` values."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._index: dict[tuple[str, ...], _Entry] = {}
        self._malmo: list[Area] = []
        self._build(data)
        # First words of all names: most tokens of a text are not, and are passed at once.
        self._first_words = {key[0] for key in self._index}
        self._max_words = max((len(k) for k in self._index), default=1)

    @classmethod
    def bundled(cls) -> Gazetteer:
        """The gazetteer shipped with the package (loaded once per process)."""
        return _bundled()

    @classmethod
    def from_toml(cls, text: str) -> Gazetteer:
        return cls(tomllib.loads(text))

    # ---- building ---------------------------------------------------------------------------

    def _build(self, data: Mapping[str, Any]) -> None:
        rows: list[dict[str, Any]] = list(data.get("area", []))
        parent_of: dict[str, str | None] = {}
        for row in rows:
            name = str(row["name"])
            if name in parent_of:
                raise GazetteerError(f"området {name!r} finns två gånger i ortregistret")
            parent_of[name] = row.get("parent")
        for name, parent in parent_of.items():
            if parent is not None and parent not in parent_of:
                raise GazetteerError(f"området {name!r} har en okänd förälder {parent!r}")
        for row in rows:
            area = Area(str(row["name"]), True, _chain(str(row["name"]), parent_of))
            self._malmo.append(area)
            self._add_row(area, row)
        for row in data.get("outside", []):
            self._add_row(Area(str(row["name"]), False), row)
        by_name = {area.name: area for area in self._malmo}
        for name, places in data.get("streets", {}).items():
            if name not in by_name:
                raise GazetteerError(f"gatorna i {name!r} pekar på ett okänt område")
            self._add_row(by_name[name], {"match_name": False, "aliases": places})

    def _add_row(self, area: Area, row: Mapping[str, Any]) -> None:
        free_text = bool(row.get("free_text", True))
        names: list[tuple[str, bool]] = []
        if row.get("match_name", True):
            names.append((area.name, bool(row.get("capitalised", False))))
        names += [(str(a), False) for a in row.get("aliases", [])]
        names += [(str(a), True) for a in row.get("capitalised_aliases", [])]
        for name, capitalised in names:
            key = _key(name)
            if not key:
                raise GazetteerError(f"tomt namn för området {area.name!r}")
            if key in self._index and self._index[key].area != area:
                other = self._index[key].area.name
                raise GazetteerError(f"namnet {name!r} pekar på både {other!r} och {area.name!r}")
            # "stadsområde Väster" is safe in prose even where "Väster" alone is not.
            written = tuple(t.lower() for t in _TOKEN.findall(name)) if capitalised else ()
            self._index[key] = _Entry(area, capitalised, free_text or len(key) > 1, written)

    # ---- queries ----------------------------------------------------------------------------

    def areas(self) -> list[Area]:
        """Every Malmö area, groupings included, in data order."""
        return list(self._malmo)

    def resolve(self, name: str) -> Area | None:
        """One place name, as an actor would write it in a form field, to its area."""
        cleaned = name[:200].strip().strip(".,;:()\"'")
        candidates = [cleaned]
        for _ in range(2):
            cleaned = _RESOLVE_NOISE.sub("", cleaned).strip()
            candidates.append(cleaned)
        for candidate in candidates:
            key = _key(candidate)
            entry = key and (self._index.get(key) or self._index.get(_genitive_stripped(key)))
            if entry:
                return entry.area
        mentions = self.mentions(cleaned)
        return mentions[0].area if mentions else None

    def mentions(self, text: str) -> list[Mention]:
        """Every place named in free text, longest name first at each position.

        A place in the genitive followed by a capitalised word, or followed by an abbreviation
        such as IF or AB, is part of a proper name ("Seveds Vänner", "Husie IF"), not a
        mention of the place, and is skipped. So is a name inside an e-mail address or a
        web address (lina@seved.se, www.limhamn.se): that is where someone is, not the area.
        """
        text = _ADDRESS.sub(lambda m: " " * len(m.group()), text)  # offsets stay the same
        tokens = list(_TOKEN.finditer(text))
        found: list[Mention] = []
        i = 0
        while i < len(tokens):
            hit = self._match_at(text, tokens, i)
            if hit is None:
                i += 1
                continue
            entry, n, genitive = hit
            start, end = tokens[i].start(), tokens[i + n - 1].end()
            following = tokens[i + n] if i + n < len(tokens) else None
            in_a_name = (
                following is not None
                and text[end : following.start()] == " "
                and (
                    (genitive and following.group()[:1].isupper())
                    or _ABBREVIATION.fullmatch(following.group()) is not None
                )
            )
            if not in_a_name:
                found.append(Mention(entry.area, text[start:end], start))
            if following is not None and _fold(following.group()) in _CENTRE_WORDS:
                n += 1  # the centre belongs to the place before it
            i += n
        return found

    def find(self, text: str) -> tuple[Area, str] | tuple[None, str | None]:
        """The area an application is about, with the words it was read from.

        A Malmö area wins over a place outside Malmö (an applicant from Lund may apply for
        Möllevången), and a place the text claims ("vi söker stöd för Norra Sofielund",
        "området är Seved") wins over places merely mentioned ("Sofielunds folkets hus").
        Otherwise several Malmö places resolve to the smallest area that holds them all:
        Seved and Norra Sofielund give Sofielund; Södra Sofielund and Seved (a part of it)
        give Södra Sofielund. When nothing is
        recognised but a place-like phrase ("området Bulltofta") is present, the phrase is
        returned so the case can quote it.
        """
        mentions = self.mentions(text)
        # A bare "centrum" ("vårt centrum") is the city core only when no place is named.
        named = [m for m in mentions if _fold(m.words) not in _CENTRE_WORDS]
        mentions = named or mentions
        inside = [m for m in mentions if m.area.in_malmo]
        claimed = [m for m in inside if _CLAIM.search(text, max(0, m.start - 40), m.start)]
        if claimed or inside:
            return _choose(claimed or inside)
        if mentions:
            counts = Counter(m.area.name for m in mentions)
            best = max(mentions, key=lambda m: (counts[m.area.name], -m.start))
            return best.area, best.words
        phrase = _PLACE_PHRASE.search(text)
        if phrase:
            return None, phrase.group("a") or phrase.group("b")
        return None, None

    def _match_at(
        self, text: str, tokens: list[re.Match[str]], i: int
    ) -> tuple[_Entry, int, bool] | None:
        first = _fold(tokens[i].group())
        if first not in self._first_words and first[:-1] not in self._first_words:
            return None
        first_upper = tokens[i].group()[:1].isupper()
        longest = min(self._max_words, len(tokens) - i)
        for n in range(longest, 0, -1):
            if n > 1 and not _joined(text, tokens[i + n - 2], tokens[i + n - 1]):
                continue
            words = tuple(_fold(t.group()) for t in tokens[i : i + n])
            stripped = _genitive_stripped(words)
            for key in (words, stripped):
                entry = self._index.get(key)
                if entry and entry.free_text and (first_upper or not entry.capitalised):
                    spelt = tuple(t.group().lower() for t in tokens[i : i + n])
                    if entry.written and entry.written not in (spelt, _genitive_stripped(spelt)):
                        continue
                    return entry, n, key is stripped and stripped != words
        return None


def _joined(text: str, left: re.Match[str], right: re.Match[str]) -> bool:
    gap = text[left.end() : right.start()]
    return _GAP.fullmatch(gap) is not None and gap.count("\n") <= 1


def _genitive_stripped(key: tuple[str, ...]) -> tuple[str, ...]:
    last = key[-1]
    if len(last) > 3 and last.endswith("s"):
        return (*key[:-1], last[:-1])
    return key


def _chain(name: str, parent_of: Mapping[str, str | None]) -> tuple[str, ...]:
    chain: list[str] = []
    current = parent_of[name]
    while current is not None:
        if current == name or current in chain:
            raise GazetteerError(f"området {name!r} ingår i sig självt")
        chain.append(current)
        current = parent_of[current]
    return tuple(chain)


def _lineage(area: Area) -> tuple[str, ...]:
    return (area.name, *area.parents)


def _choose(mentions: list[Mention]) -> tuple[Area, str]:
    distinct: dict[str, Mention] = {}
    for m in mentions:
        distinct.setdefault(m.area.name, m)
    firsts = list(distinct.values())
    if len(firsts) == 1:
        return firsts[0].area, firsts[0].words
    common = _common_ancestor(m.area for m in firsts)
    if common is not None:
        return common, ", ".join(m.words for m in firsts)
    counts = Counter(m.area.name for m in mentions)
    best = max(firsts, key=lambda m: (counts[m.area.name], -m.start))
    return best.area, best.words


def _common_ancestor(areas: Iterable[Area]) -> Area | None:
    listed = list(areas)
    shared = set(_lineage(listed[0]))
    for area in listed[1:]:
        shared &= set(_lineage(area))
    for name in _lineage(listed[0]):
        if name in shared:
            return _ancestor_area(name, listed)
    return None


def _ancestor_area(name: str, areas: list[Area]) -> Area | None:
    """The ancestor as an Area: its parents are the tail of any descendant's chain."""
    for area in areas:
        lineage = _lineage(area)
        if name in lineage:
            index = lineage.index(name)
            return Area(name, True, lineage[index + 1 :])
    return None


@cache
def _bundled() -> Gazetteer:
    data = resources.files("samverkan.rules").joinpath("data")
    places = tomllib.loads(data.joinpath("gazetteer.toml").read_text("utf-8"))
    streets = tomllib.loads(data.joinpath("streets.toml").read_text("utf-8"))
    return Gazetteer({**places, "streets": streets["streets"]})
