"""A :class:`Reply` as Slack Block Kit: pure, so the escaping can be tested without Slack.

Every string is escaped for Slack's mrkdwn (``&``, ``<``, ``>``), ours as well as the actor's,
and every mrkdwn text object is ``verbatim`` so Slack does not turn bare URLs, ``#channel`` or
``@here`` into links or mentions. Actor text (``Text.from_actor``) loses control and bidi
characters (:func:`~samverkan.rules.text.clean_actor_text`) and is also defused: a zero-width
space around mrkdwn markers (``*``, ``_``, ``~``, `````) that sit at a word edge, so an
applicant cannot make text bold or a code block, and after ``@`` in ``@channel``, ``@here`` and
``@everyone``. Escaping ``<`` already turns ``<!channel>``, ``<@U…>`` and
``<https://evil|Malmö stad>`` into visible text instead of mentions and disguised links.

Buttons carry the equivalent chat command as their value; the action id says whether the
command runs as it is (``samverkan:run:godkann``) or needs words the official must add first
(``samverkan:ask:mote``), which the adapter answers with the command to type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from samverkan.bot.reply import (
    Attachment,
    Block,
    Button,
    FactList,
    Paragraph,
    Reply,
    ReplyStatus,
    Text,
)
from samverkan.rules.text import clean_actor_text

__all__ = [
    "ACTION_PREFIX",
    "SlackMessage",
    "action_id_of",
    "escape",
    "escape_actor",
    "read_action_id",
    "render",
    "render_notice",
]

ACTION_PREFIX = "samverkan:"
MAX_BLOCKS = 50
"""Slack refuses a message with more blocks."""
MAX_SECTION = 3000
"""Characters in one section's text object."""
MAX_FALLBACK = 3000
MAX_BUTTONS = 25
MAX_BUTTON_LABEL = 75

_ZWSP = "\u200b"
# A marker next to something that is not a letter or digit can open or close formatting.
_MARKER = re.compile(r"(?<![^\W_])[*_~`]|[*_~`](?![^\W_])")
_BROADCAST = re.compile(r"@(?=(?:channel|here|everyone)\b)", re.IGNORECASE)
_QUOTE = re.compile(r"^&gt;", re.MULTILINE)
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")


def escape(text: str) -> str:
    """Slack's three control characters, so no text of ours can become markup by accident."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_actor(text: str) -> str:
    """Text from outside this code, shown as the characters it is: no mentions, links, markup."""
    value = escape(clean_actor_text(text))
    value = _MARKER.sub(lambda m: f"{_ZWSP}{m.group()}{_ZWSP}", value)
    value = _BROADCAST.sub("@" + _ZWSP, value)
    # "&gt;" at a line start is how Slack stores a quote: keep it from starting one.
    return _QUOTE.sub(_ZWSP + "&gt;", value)


def _text(run: Text) -> str:
    return escape_actor(run.value) if run.from_actor else escape(run.value)


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` characters of escaped text, never ending inside an entity."""
    if len(text) <= limit:
        return text
    return _PARTIAL_ENTITY.sub("", text[: limit - 1]) + "…"


@dataclass(frozen=True)
class SlackMessage:
    """What goes to ``chat.postMessage`` or a ``response_url``, and the files to upload."""

    text: str
    """The notification fallback, escaped like the blocks."""
    blocks: list[dict[str, Any]]
    files: tuple[Attachment, ...] = ()


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def _sections(lines: list[str]) -> list[dict[str, Any]]:
    """Lines packed into as few sections as the size limit allows."""
    out: list[dict[str, Any]] = []
    chunk: list[str] = []
    size = 0
    for line in (_cut(line, MAX_SECTION) for line in lines):
        if chunk and size + len(line) + 1 > MAX_SECTION:
            out.append(_section("\n".join(chunk)))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk and any(chunk):
        out.append(_section("\n".join(chunk)))
    return out


def action_id_of(button: Button) -> str:
    mode = "ask" if button.needs_input else "run"
    return f"{ACTION_PREFIX}{mode}:{button.action_id}"


def read_action_id(action_id: str) -> tuple[Literal["run", "ask"], str] | None:
    """``("run", "godkann")`` for one of our action ids, None for anything else."""
    if not action_id.startswith(ACTION_PREFIX):
        return None
    mode, _, word = action_id.removeprefix(ACTION_PREFIX).partition(":")
    if mode == "run" and word:
        return "run", word
    if mode == "ask" and word:
        return "ask", word
    return None


def _button(button: Button) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": _cut(button.label, MAX_BUTTON_LABEL)},
        "action_id": action_id_of(button),
        "value": button.command,
    }
    if button.style:
        element["style"] = button.style
    if not button.needs_input:
        element["confirm"] = {
            "title": {"type": "plain_text", "text": _cut(button.label, 100)},
            "text": {"type": "plain_text", "text": f"Kör: {button.command}"},
            "confirm": {"type": "plain_text", "text": "Ja"},
            "deny": {"type": "plain_text", "text": "Avbryt"},
        }
    return element


def _blocks(block: Block) -> list[dict[str, Any]]:
    if isinstance(block, Paragraph):
        return _sections(["".join(_text(p) for p in block.parts)])
    if isinstance(block, FactList):
        lines = [f"*{escape(block.title)}*"] if block.title else []
        lines += [f"• *{escape(f.label)}:* {_text(f.value)}" for f in block.items]
        return _sections(lines)
    buttons = [_button(b) for b in block.buttons[:MAX_BUTTONS]]
    return [{"type": "actions", "elements": buttons}] if buttons else []


_FALLBACK_PREFIX = {
    ReplyStatus.OK: "",
    ReplyStatus.REFUSED: "Nekat: ",
    ReplyStatus.USAGE: "",
    ReplyStatus.NOT_FOUND: "",
    ReplyStatus.ERROR: "Fel: ",
}


def render(answer: Reply) -> SlackMessage:
    """The reply as Block Kit; more than Slack takes is cut with a note, never refused."""
    blocks: list[dict[str, Any]] = []
    for block in answer.blocks:
        blocks += _blocks(block)
    if len(blocks) > MAX_BLOCKS:
        blocks = [*blocks[: MAX_BLOCKS - 1], _section("… (svaret är förkortat)")]
    first = next((b for b in answer.blocks if isinstance(b, Paragraph)), None)
    summary = "".join(_text(p) for p in first.parts) if first else "Samverkan"
    text = _cut(escape(_FALLBACK_PREFIX[answer.status]) + summary, MAX_FALLBACK)
    return SlackMessage(text=text, blocks=blocks, files=answer.attachments)


def render_notice(text: str) -> SlackMessage:
    """A notice for the officials' channel. Its text quotes e-mail (subjects, reasons), so all
    of it is treated as actor text."""
    safe = _cut(escape_actor(text), MAX_SECTION)
    return SlackMessage(text=safe, blocks=[_section(safe)])
