"""A :class:`Reply` as Microsoft Teams sees it: Adaptive Cards plus a plain fallback text.

Pure: no SDK, no I/O, so the escaping rules can be tested on their own.

Why everything is escaped, not only actor text: a ``Reply`` holds plain text by contract, and
Teams renders the text of a ``TextBlock`` and of a ``FactSet`` value as (a subset of) Markdown.
So every ASCII punctuation character that can start Markdown (``* _ [ ] < > ` ~ # |`` …) gets
a CommonMark backslash escape, which Teams' renderer shows as the bare character. Escaping
``[``, ``]``, ``<`` and ``>`` is what stops a disguised link (``[Malmö stad](https://evil)``)
and an ``<at>`` tag: a mention only pings when the activity also carries a mention entity, and
we never add one, but the tag must not even look like markup. Text from outside this code
(``Text(from_actor=True)``) additionally loses control characters and the bidirectional
overrides that can make ``https://evil.example/moc.adnuleg`` read as something else, and
Teams' ``{{DATE(…)}}`` substitution is broken up by escaping the braces.

Buttons become ``Action.Submit`` with ``data = {"command": "<chat command>"}``; a button that
needs more input (a date, a reason) becomes an ``Action.ShowCard`` holding a text field named
``command`` pre-filled with the command template, so the submitted ``value`` has the same shape.

Teams cannot receive a file from a bot in a channel (the file-consent flow works in 1:1 chats
only and stores into the user's OneDrive), so a file such as the committee memo is sent as a
second card that shows its Markdown source verbatim in monospace, ready to copy; ``samverkan
memo REF`` prints the same text.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

from samverkan.bot.reply import Actions, Attachment, Button, FactList, Paragraph, Reply, ReplyStatus
from samverkan.bot.reply import Text as ReplyText
from samverkan.rules.text import clean_actor_text

__all__ = [
    "CARD_CONTENT_TYPE",
    "MAX_FILE_CHARS",
    "TeamsMessage",
    "escape_markdown",
    "render_reply",
]

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.4"
MAX_FILE_CHARS = 20_000
"""Teams refuses messages above about 28 KB; a longer file is cut with a pointer to the CLI."""

_STATUS_COLOUR = {
    ReplyStatus.REFUSED: "Attention",
    ReplyStatus.ERROR: "Attention",
    ReplyStatus.NOT_FOUND: "Warning",
    ReplyStatus.USAGE: "Warning",
}


@dataclass(frozen=True)
class TeamsMessage:
    """What goes into one Teams message activity: card attachments and a summary text."""

    cards: tuple[dict[str, Any], ...]
    fallback_text: str

    def attachments(self) -> list[dict[str, Any]]:
        """The Bot Framework ``attachments`` list for the activity."""
        return [{"contentType": CARD_CONTENT_TYPE, "content": card} for card in self.cards]


# -- escaping ---------------------------------------------------------------------------------

# ASCII punctuation that Markdown (CommonMark, and Teams' subset of it) can read as markup.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+|~!&=])")
# Line starts that make a list whatever the other escapes do: ``- item`` and ``1. item``.
_LINE_DASH = re.compile(r"^(\s*)-", re.MULTILINE)
_LINE_NUMBER = re.compile(r"^(\s*\d+)\.", re.MULTILINE)


def escape_markdown(value: str) -> str:
    """Plain text to Markdown that shows exactly that text (CommonMark backslash escapes)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", value.replace("\r\n", "\n"))
    escaped = _LINE_DASH.sub(r"\1\\-", escaped)
    return _LINE_NUMBER.sub(r"\1\\.", escaped)


def _run(part: ReplyText) -> str:
    return escape_markdown(clean_actor_text(part.value) if part.from_actor else part.value)


def _multiline(markdown: str) -> str:
    """Keep the reply's line breaks: Markdown joins single lines; two trailing spaces do not."""
    return markdown.replace("\n", "  \n")


# -- the card ---------------------------------------------------------------------------------


def _text_block(markdown: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": markdown, "wrap": True, **style}


def _paragraph(block: Paragraph) -> dict[str, Any]:
    return _text_block(_multiline("".join(_run(p) for p in block.parts)))


def _facts(block: FactList) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if block.title:
        out.append(_text_block(escape_markdown(block.title), weight="Bolder"))
    facts = [
        {"title": escape_markdown(f.label), "value": _run(f.value) or "–"} for f in block.items
    ]
    out.append({"type": "FactSet", "facts": facts})
    return out


def _action(button: Button) -> dict[str, Any]:
    style = {"primary": "positive", "danger": "destructive"}.get(button.style or "", "default")
    if button.action_id == "beslut":  # the committee's decision has a form of its own
        from samverkan.bot.teams_cards import decision_form  # it builds on this module

        return {
            "type": "Action.ShowCard",
            "title": f"{button.label} …",
            "card": decision_form(button.value),
        }
    if not button.needs_input:
        return {
            "type": "Action.Submit",
            "title": button.label,
            "style": style,
            "data": {"command": button.command},
        }
    form = {
        "type": "AdaptiveCard",
        "body": [
            _text_block(escape_markdown("Fyll i och skicka kommandot:"), size="Small"),
            {
                "type": "Input.Text",
                "id": "command",
                "value": button.command,
                "label": button.label,
                "isRequired": True,
            },
        ],
        "actions": [{"type": "Action.Submit", "title": "Skicka", "style": style}],
    }
    return {"type": "Action.ShowCard", "title": f"{button.label} …", "card": form}


def _card(body: list[dict[str, Any]], fallback: str) -> dict[str, Any]:
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "fallbackText": fallback,
        "msteams": {"width": "Full"},
    }


def _image_card(file: Attachment, data: bytes) -> dict[str, Any]:
    """A picture (the statistics chart) inline, as a data URI: Teams needs no file upload."""
    url = f"data:{file.content_type};base64,{base64.b64encode(data).decode('ascii')}"
    body = [
        _text_block(escape_markdown(file.title), weight="Bolder", size="Medium"),
        {"type": "Image", "url": url, "altText": file.content, "size": "Stretch"},
    ]
    return _card(body, escape_markdown(file.title))


def _file_card(file: Attachment) -> dict[str, Any]:
    if file.data is not None and file.content_type.startswith("image/"):
        return _image_card(file, file.data)
    if file.data is not None:  # a Word file: a bot cannot attach one without SharePoint
        body = [
            _text_block(escape_markdown(file.title), weight="Bolder", size="Medium"),
            _text_block(
                escape_markdown(f"{file.filename} kan inte bifogas i Teams. {file.content}.")
            ),
        ]
        return _card(body, escape_markdown(file.title))
    content = clean_actor_text(file.content).rstrip()
    note = f"Markdown ({file.filename}), att klistra in i mallen."
    if len(content) > MAX_FILE_CHARS:
        content = content[:MAX_FILE_CHARS]
        note = f"Förkortad här; hela texten: samverkan memo. Markdown ({file.filename})."
    body = [
        _text_block(escape_markdown(file.title), weight="Bolder", size="Medium"),
        _text_block(escape_markdown(note), isSubtle=True, size="Small"),
        _text_block(_multiline(escape_markdown(content)), fontType="Monospace"),
    ]
    return _card(body, escape_markdown(file.title))


def _fallback(answer: Reply) -> str:
    """Every block as escaped text, files by title: for clients that show no cards."""
    lines: list[str] = []
    for block in answer.blocks:
        if isinstance(block, Paragraph):
            lines.append("".join(_run(p) for p in block.parts))
        elif isinstance(block, FactList):
            if block.title:
                lines.append(escape_markdown(block.title))
            lines += [f"{escape_markdown(f.label)}: {_run(f.value)}" for f in block.items]
        else:
            lines += [escape_markdown(f"{b.label}: {b.command}") for b in block.buttons]
    lines += [escape_markdown(f"Bifogat: {f.title}") for f in answer.attachments]
    return "\n".join(lines)


def render_reply(answer: Reply) -> TeamsMessage:
    """The reply card (and one card per file), with every text escaped for Teams."""
    body: list[dict[str, Any]] = []
    for block in answer.blocks:
        if isinstance(block, Paragraph):
            body.append(_paragraph(block))
        elif isinstance(block, FactList):
            body += _facts(block)
        elif isinstance(block, Actions):
            body.append({"type": "ActionSet", "actions": [_action(b) for b in block.buttons]})
    colour = _STATUS_COLOUR.get(answer.status)
    if colour and body and body[0]["type"] == "TextBlock":
        body[0]["color"] = colour
    fallback = _fallback(answer)
    cards = (_card(body, fallback), *(_file_card(f) for f in answer.attachments))
    return TeamsMessage(cards=cards, fallback_text=fallback)
