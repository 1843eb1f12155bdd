"""The canonical chat reply: what the command core says, before any platform formats it.

A reply is a list of blocks (paragraphs, fact lists, buttons) plus optional files. Nothing here
is escaped: every string is plain text, and every word that did not come from this code (an
actor's e-mail, a stored field, what an official typed) is a :class:`Text` with
``from_actor=True``, so the Slack and Teams adapters know exactly what to escape, and the
console removes control and bidi characters from it (one
:func:`~samverkan.rules.text.clean_actor_text` for every channel).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from samverkan.rules.personal import mask_identity_numbers
from samverkan.rules.text import clean_actor_text


class ReplyStatus(StrEnum):
    """How the command ended; the CLI turns it into an exit code, adapters may colour by it."""

    OK = "ok"
    REFUSED = "refused"
    """Not allowed: not an official, an illegal transition, a rule that blocks."""
    USAGE = "usage"
    """The command or one of its arguments was wrong; the reply shows the usage."""
    NOT_FOUND = "not_found"
    ERROR = "error"


class Audience(StrEnum):
    """Who should see a reply: set by the dispatch, honoured where the platform can."""

    ASKER = "asker"
    """Only the official who asked (Slack: ephemeral): reads, refusals, mistakes."""
    CHANNEL = "channel"
    """Everyone where the command was given: a change colleagues should see."""


@dataclass(frozen=True)
class Text:
    """A run of text; ``from_actor`` marks words from outside this code (escape them)."""

    value: str
    from_actor: bool = False

    def __post_init__(self) -> None:
        # Chat is outside storage: no channel ever shows a personal identity number in full.
        object.__setattr__(self, "value", mask_identity_numbers(self.value))


def actor(value: str | None, default: str = "–") -> Text:
    """Stored or typed text, marked for escaping; ``default`` (ours) when there is none."""
    return Text(value, from_actor=True) if value else Text(default)


@dataclass(frozen=True)
class Paragraph:
    parts: tuple[Text, ...]

    @property
    def plain(self) -> str:
        return "".join(p.value for p in self.parts)


def paragraph(*parts: str | Text) -> Paragraph:
    """A paragraph from our own strings and marked :class:`Text` runs."""
    return Paragraph(tuple(p if isinstance(p, Text) else Text(p) for p in parts))


@dataclass(frozen=True)
class Fact:
    label: str
    value: Text


@dataclass(frozen=True)
class FactList:
    items: tuple[Fact, ...]
    title: str | None = None


@dataclass(frozen=True)
class Button:
    """A next step. ``command`` is the chat text doing the same, for platforms without buttons.

    ``needs_input`` says the command wants more than the reference (a date, a reason), so an
    adapter opens a dialog, or shows ``command`` as a template, instead of running it at once.
    """

    label: str
    action_id: str
    value: str
    command: str
    needs_input: bool = False
    style: Literal["primary", "danger"] | None = None


@dataclass(frozen=True)
class Actions:
    buttons: tuple[Button, ...]


@dataclass(frozen=True)
class Attachment:
    """A file to post with the reply (the committee memo)."""

    filename: str
    content_type: str
    content: str
    title: str
    data: bytes | None = None
    """A binary file (the statistics chart, ``image/png``); ``content`` then describes it."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "content", mask_identity_numbers(self.content))


Block = Paragraph | FactList | Actions


@dataclass(frozen=True)
class Reply:
    status: ReplyStatus
    blocks: tuple[Block, ...]
    attachments: tuple[Attachment, ...] = field(default=())
    audience: Audience = Audience.ASKER

    @property
    def ok(self) -> bool:
        return self.status is ReplyStatus.OK


def reply(status: ReplyStatus, *blocks: Block, attachments: tuple[Attachment, ...] = ()) -> Reply:
    return Reply(status=status, blocks=blocks, attachments=attachments)


def _plain(text: Text) -> str:
    """An e-mail must not drive the terminal nor read backwards: actor text is cleaned."""
    return clean_actor_text(text.value) if text.from_actor else text.value


def to_plain_text(answer: Reply) -> str:
    """The reply for a terminal: blocks separated by blank lines, files appended whole."""
    chunks: list[str] = []
    for block in answer.blocks:
        if isinstance(block, Paragraph):
            chunks.append("".join(_plain(p) for p in block.parts))
        elif isinstance(block, FactList):
            lines = [block.title] if block.title else []
            lines += [f"  {f.label}: {_plain(f.value)}" for f in block.items]
            chunks.append("\n".join(lines))
        else:
            lines = ["Möjliga steg:"]
            lines += [f"  [{b.label}] {b.command}" for b in block.buttons]
            chunks.append("\n".join(lines))
    for file in answer.attachments:
        chunks.append(f"--- {file.title} ({file.filename}) ---\n{file.content.rstrip()}")
    return "\n\n".join(chunks) + "\n"
