"""The committee memo as a Word document (python-docx), from the same view model as Markdown.

Swedish offices edit tjänsteskrivelser in Word: real headings (so the navigation pane works),
a numbered proposal, the assessment as a table, Swedish as the document language, and the
registration number in the header of every page. The text is plain (``rules.memo.PLAIN``):
Word shows the actor's words as words, never as markup.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.shared import Pt

__all__ = ["build_docx"]


def _language(doc: DocumentObject, tag: str = "sv-SE") -> None:
    """Swedish spelling and hyphenation for the whole document."""
    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:val"), tag)


def _head(doc: DocumentObject, view: dict[str, Any]) -> None:
    header = doc.sections[0].header.paragraphs[0]
    header.text = f"Malmö stad · {view['office']} · Diarienummer {view['registration']}"
    rows = [
        ("Diarienummer", view["registration"]),
        ("Ärende", view["ref"]),
        ("Datum", view["date"]),
        ("Till", view["committee"]),
        ("Handläggare", view["handlaggare"]),
    ]
    table = doc.add_table(rows=0, cols=2)
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value


def _list(doc: DocumentObject, items: list[str], style: str = "List Bullet") -> None:
    for item in items:
        doc.add_paragraph(item, style=style)


def _application(doc: DocumentObject, view: dict[str, Any]) -> None:
    doc.add_heading("Ansökan", level=2)
    for fact in view["facts"]:
        paragraph = doc.add_paragraph(style="List Bullet")
        paragraph.add_run(f"{fact['label']}: ").bold = True
        paragraph.add_run(fact["value"])
    for quote in view["quotes"]:
        doc.add_paragraph().add_run(f"{quote['label']} (ur ansökan):").bold = True
        for line in quote["text"].splitlines():
            if line.strip():
                doc.add_paragraph(line, style="Quote")


def _assessment(doc: DocumentObject, view: dict[str, Any]) -> None:
    assessment = view["assessment"]
    doc.add_heading("Bedömning", level=2)
    doc.add_paragraph(
        f"Bedömningen är gjord enligt modellens kriterier, regelverk {assessment['ruleset']}. "
        f"Sammantaget: {assessment['outcome']}."
    )
    if assessment["override"]:
        doc.add_paragraph(
            "Kontoret föreslår att ärendet prövas av nämnden trots detta, med motiveringen: "
            f"{assessment['override']}"
        )
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ("Kriterium", "Bedömning", "Motivering"), strict=True
    ):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for row in assessment["rows"]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = row["name"], row["status"], row["reason"]


def build_docx(view: dict[str, Any]) -> bytes:
    """The .docx bytes of the memo whose view model (``rules.memo.memo_view``) is ``view``."""
    doc = Document()
    _language(doc)
    doc.styles["Normal"].font.size = Pt(11)
    doc.core_properties.title = f"Tjänsteskrivelse {view['registration']}: {view['title']}"
    doc.core_properties.language = "sv-SE"
    _head(doc, view)
    doc.add_heading(f"Tjänsteskrivelse: {view['title']}", level=0)
    doc.add_heading("Sammanfattning", level=1)
    doc.add_paragraph(view["summary"])
    doc.add_heading("Förslag till beslut", level=1)
    _list(doc, view["proposals"], style="List Number")
    doc.add_heading("Beslutsunderlag", level=1)
    _list(doc, view["basis"])
    doc.add_heading("Beslutsplanering", level=1)
    _list(doc, view["planning"])
    doc.add_heading("Ärendet", level=1)
    doc.add_heading("Bakgrund", level=2)
    doc.add_paragraph(view["background"])
    _application(doc, view)
    _assessment(doc, view)
    doc.add_heading("Samordning", level=2)
    doc.add_paragraph(view["coordination"])
    if view["history"]:
        doc.add_heading("Ärendets gång", level=2)
        _list(doc, view["history"])
    doc.add_heading("Ekonomiska konsekvenser", level=1)
    for line in view["economy"]:
        doc.add_paragraph(line)
    doc.add_heading("Underskrift", level=1)
    signature = doc.add_paragraph()
    for i, line in enumerate(view["signature"]):
        run = signature.add_run(line)
        if i < len(view["signature"]) - 1:
            run.add_break()
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
