"""Which kinds of actors take part: read per piece, by what the piece is about.

A word such as "boende" or "butiker" names a kind of actor, but an application names many
people it does not work with: "boende beskriver otrygghet", "torget har tappat butiker". So
each piece (sentence or list) is judged first:

* the applicant itself always counts (its name or legal form: "… Fastigheter AB");
* an actors field ("Medverkande aktörer: …") counts whole;
* a piece that says who takes part ("tillsammans med", "deltar", "vill vara med", "together
  with", "members") counts;
* residents (``boende``) count only there; any other kind also counts in a neutral piece, but
  not in one that only describes the area's problems.
"""

from __future__ import annotations

import re

from samverkan.intake.extraction.lexicon import PURPOSE_CUE, find_actors
from samverkan.intake.extraction.text import fold, fold_pattern
from samverkan.rules.model import ActorCategory

__all__ = ["actors_taking_part", "organisation_categories"]

_TAKING_PART = fold_pattern(
    r"\b(?:tillsammans|samarbet\w*|samverka\w*|delta\w*|medverka\w*|är med|vara med|"
    r"engager\w*|står bakom|bakom ansökan|partner\w*|parter(?:na)?|består av|representerar|"
    r"samlar|vi är|vi som|ingår|medlem\w*|aktör\w*|har pratat med|har kontakt med|stöttar|"
    r"ställer upp|involverad\w*|med oss|är vi|vi på|vi i|nätverk av|skriver för|för ett nätverk|"
    r"together|take part|taking part|on board|involved|join\w*|members?|on behalf|supported by|"
    r"we are|group of|along with|in cooperation|in partnership|agreed to|network of)\b"
)
# "torgdagar med handlare och boende", "workshops with residents": done with them.
_WITH = fold_pattern(r"\b(?:med|with|tillsammans med)\s+(?:[\w-]+,?\s+){0,4}$")
# "vi boende", "boende i föreningen": the applicant's own members speaking.
_OWN_RESIDENTS = fold_pattern(r"\bvi (?:som )?(?:boende|bor)\b")


def organisation_categories(organisation: str) -> list[tuple[ActorCategory, str]]:
    """The applicant is an actor too: read its kind from its name or legal form."""
    named = find_actors(organisation)
    if named:
        return named
    folded = fold(organisation)
    if re.search(r"fastighet", folded, re.IGNORECASE):
        return [(ActorCategory.FASTIGHETSAGARE, organisation)]
    if re.search(r"\b(?:AB|HB|KB)$", organisation):
        return [(ActorCategory.NARINGSLIV, organisation)]
    if re.search(r"forening|forbund|stiftelse|byalag", folded, re.IGNORECASE):
        return [(ActorCategory.CIVILSAMHALLE, organisation)]
    return []


def actors_taking_part(
    pieces: list[str], field: str | None, organisation: str | None
) -> dict[ActorCategory, str]:
    """Each category that takes part, with the word that said so."""
    found: dict[ActorCategory, str] = {}
    if organisation:
        for category, word in organisation_categories(organisation):
            found.setdefault(category, word)
    if field:
        for category, word in find_actors(field):
            found.setdefault(category, word)
    for piece in pieces:
        folded = fold(piece)
        taking_part = bool(_TAKING_PART.search(folded) or _OWN_RESIDENTS.search(folded))
        problem = PURPOSE_CUE.search(piece) is not None
        for category, word in find_actors(piece):
            at = piece.find(word)
            with_them = at >= 0 and _WITH.search(fold(piece[max(0, at - 50) : at])) is not None
            if category is ActorCategory.BOENDE and not (taking_part or with_them):
                continue
            if problem and not taking_part:
                continue
            found.setdefault(category, word)
    return found
