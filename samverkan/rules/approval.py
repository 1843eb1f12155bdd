"""May a case go to the committee? The approval rule (``godkänn REF``), as a pure function.

Two things stop an approval, and they differ in kind:

- **An applicant who cannot be identified** (no organisation name, or no valid organisation
  number): the committee cannot grant support to nobody, so no override helps. The official
  corrects the facts first (``ändra REF organisation=… orgnr=…``).
- **A blocking criterion that is not met or not known** (``not_met`` *or* ``missing``, for
  example an area outside Malmö, a single kind of actor, or no actors named at all): the
  model says no, and only an official's written reason (``override: skäl``) takes the case on.
  A case never evaluated is treated the same way: nothing shows the criteria are met.

Everything else (warnings, missing non-blocking facts) lets the case go, and the memo says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from samverkan.rules.criteria import CriterionResult, Evaluation, Status
from samverkan.rules.model import Application

__all__ = ["ApprovalCheck", "applicant_gaps", "check_approval", "is_identified"]


def applicant_gaps(app: Application) -> list[str]:
    """What is missing to know who the applicant is, in Swedish; empty when identified."""
    gaps = []
    if not (app.organisation or "").strip():
        gaps.append("organisationens namn")
    if not app.orgnr:
        gaps.append("organisationsnummer")
    elif app.orgnr_valid is not True:
        gaps.append(f"ett giltigt organisationsnummer ({app.orgnr} stämmer inte)")
    return gaps


def is_identified(app: Application) -> bool:
    """True when the applicant has a name and a valid organisation number."""
    return not applicant_gaps(app)


@dataclass(frozen=True)
class ApprovalCheck:
    """The verdict on one approval: ``refusal`` is the Swedish reason when it may not go on."""

    ref: str
    applicant_missing: tuple[str, ...]
    blocking: tuple[CriterionResult, ...]
    """Blocking criteria not met or not known (all of them, overridden or not)."""
    never_evaluated: bool
    override: str | None

    @property
    def needs_override(self) -> bool:
        return bool(self.blocking) or self.never_evaluated

    @property
    def overridden(self) -> bool:
        """True when the official's reason is what takes the case on."""
        return self.needs_override and bool(self.override)

    @property
    def allowed(self) -> bool:
        return not self.applicant_missing and (not self.needs_override or bool(self.override))

    @property
    def refusal(self) -> str | None:
        if self.applicant_missing:
            missing = ", ".join(self.applicant_missing)
            return (
                f"{self.ref} kan inte gå till tekniska nämnden: sökande är inte identifierad "
                f"(saknas: {missing}). Nämnden kan inte bevilja stöd till en okänd sökande, och "
                f"det går inte att godkänna med override. Rätta först, t.ex.: ändra {self.ref} "
                "organisation=Föreningens namn orgnr=NNNNNN-NNNN"
            )
        if self.allowed:
            return None
        if self.never_evaluated:
            why = "ansökan har inte bedömts mot kriterierna."
        else:
            why = " ".join(_why(r) for r in self.blocking)
        return (
            f"{self.ref} uppfyller inte modellens krav för att gå till nämnden: {why} "
            f"Godkänn bara med ett skäl: godkänn {self.ref} override: skäl"
        )


def _why(result: CriterionResult) -> str:
    label = "ej uppfyllt" if result.status is Status.NOT_MET else "uppgift saknas"
    return f"{result.name or result.id} ({label}): {result.reason}"


def check_approval(
    ref: str, app: Application, evaluation: Evaluation | None, override: str | None
) -> ApprovalCheck:
    """Judge ``godkänn ref [override: skäl]`` against the case's facts and newest evaluation."""
    blocking: tuple[CriterionResult, ...] = ()
    if evaluation is not None:
        blocking = tuple(
            r
            for r in evaluation.results
            if r.blocking and r.status in (Status.NOT_MET, Status.MISSING)
        )
    return ApprovalCheck(
        ref=ref,
        applicant_missing=tuple(applicant_gaps(app)),
        blocking=blocking,
        never_evaluated=evaluation is None,
        override=(override or "").strip() or None,
    )
