"""Forms as chat commands: what a filled-in form (a Slack modal, a Teams card) says, as text.

A form is only another way to write a command; its fields become the same text an official
could type, which then goes through the one dispatch like any other. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["DECISION_FIELDS", "NEW_CASE_FIELDS", "decision_text", "new_case_text"]

NEW_CASE_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("titel", "Titel", False),
    ("omrade", "Område", True),
    ("organisation", "Organisation", True),
    ("kontakt", "Kontaktperson", True),
    ("epost", "E-post", True),
    ("stodform", "Stödform (finansiering, personal, processtöd, övrigt)", True),
    ("belopp", "Belopp (kr)", True),
    ("syfte", "Syfte", True),
)
"""(field id, label, optional) of the new-case form, in order."""
DECISION_OUTCOMES = (("beviljad", "Beviljad"), ("avslag", "Avslag"))
SUPPORT_FORMS = (
    ("finansiering", "Finansiering"),
    ("personal", "Personal"),
    ("processtod", "Processtöd"),
    ("ovrigt", "Övrigt"),
)
DECISION_FIELDS = ("utfall", "paragraf", "sammantrade", "stodform", "belopp", "timmar", "kommentar")
_KEY = {"omrade": "område", "stodform": "stödform"}


def _clean(values: Mapping[str, str]) -> dict[str, str]:
    """One line per value: a form's field must not smuggle a second ``key=`` past the parser."""
    plain = {k: str(v).replace(";", ",").replace("=", ":") for k, v in values.items()}
    return {k: " ".join(v.split()) for k, v in plain.items() if v.strip()}


def new_case_text(values: Mapping[str, str]) -> str:
    """``ny Titel; område=…; organisation=…`` from the new-case form."""
    fields = _clean(values)
    pairs = [f"{_KEY.get(k, k)}={v}" for k, v in fields.items() if k != "titel"]
    return "; ".join([f"ny {fields.get('titel', '')}".rstrip(), *pairs])


def decision_text(ref: str, values: Mapping[str, str]) -> str:
    """``beslut REF beviljad § NR [sammanträde=…] stödform=… belopp=… [skäl]`` from the
    decision form (a refusal's reasons are its comment)."""
    fields = _clean(values)
    words = [f"beslut {ref}", fields.get("utfall", "")]
    if fields.get("paragraf"):
        words.append(f"§ {fields['paragraf'].lstrip('§ ')}")
    if fields.get("sammantrade"):
        words.append(f"sammanträde={fields['sammantrade']}")
    if fields.get("utfall") == "beviljad":
        words += [
            f"{_KEY.get(k, k)}={fields[k]}" for k in ("stodform", "belopp", "timmar") if k in fields
        ]
    if fields.get("kommentar"):
        words.append(fields["kommentar"])
    return " ".join(w for w in words if w)
