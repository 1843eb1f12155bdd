"""Teams messages that become applications: what an activity says, as the intake's input.

- A message to the bot (personal chat, or a channel message that mentions it) from someone who
  is not an official, whose text is no command, is an application; in a channel thread the
  thread is the conversation (``conversation.id`` ends in ``;messageid=<first message>``), in
  a personal chat the conversation is.
- The message action ``Skapa ärende`` (``composeExtension/submitAction`` with command id
  ``skapaArende``) lets an official turn any message into an application: its HTML body, its
  author and its thread come from ``value.messagePayload``.

Answers go back as replies to the message (``reply_to`` the conversation as the activity named
it, ``reply_thread`` the message's id) through the connector it came from (``serviceUrl``).

Pure: no SDK calls here; ``teams.py`` does the I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from microsoft_agents.activity import Activity

from samverkan.clock import utc_now
from samverkan.intake.feeders.chat import ChatFile, ChatMessage

__all__ = [
    "MESSAGE_ACTION",
    "MESSAGE_ACTION_COMMAND",
    "chat_message_of",
    "conversation_of",
    "payload_message",
]

PLATFORM = "teams"
MESSAGE_ACTION = "composeExtension/submitAction"
MESSAGE_ACTION_COMMAND = "skapaArende"
_THREAD = ";messageid="


def conversation_of(activity: Activity) -> tuple[str, str | None, bool]:
    """(conversation, the thread's first message id or None, whether it is a personal chat)."""
    conversation = activity.conversation
    ident = conversation.id if conversation else ""
    base, _, root = ident.partition(_THREAD)
    personal = bool(conversation and conversation.conversation_type == "personal")
    return base, root or None, personal


def _when(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    return utc_now()


def _where(activity: Activity, message_id: str) -> dict[str, Any]:
    """Where answers go: a reply to ``message_id`` in the activity's conversation."""
    return {
        "reply_to": activity.conversation.id if activity.conversation else None,
        "reply_thread": message_id or None,
        "service_url": activity.service_url or None,
    }


def chat_message_of(
    activity: Activity, text: str, email: str | None, files: tuple[ChatFile, ...] = ()
) -> ChatMessage:
    """A message activity (its bot mention already removed from ``text``) as intake input."""
    conversation, root, _ = conversation_of(activity)
    sender = activity.from_property
    message_id = activity.id or ""
    return ChatMessage(
        **_where(activity, message_id),
        files=files,
        platform=PLATFORM,
        conversation=conversation,
        message_id=message_id,
        author_id=(sender.aad_object_id or sender.id) if sender else "okänd",
        author_name=sender.name if sender else None,
        author_email=email,
        text=text,
        at=_when(activity.timestamp),
        thread_root=root if root and root != message_id else None,
    )


def payload_message(activity: Activity) -> ChatMessage | None:
    """The message the ``Skapa ärende`` action was used on; None for any other invoke."""
    value = activity.value
    if not isinstance(value, Mapping) or value.get("commandId") != MESSAGE_ACTION_COMMAND:
        return None
    payload: Mapping[str, Any] = value.get("messagePayload") or {}
    body = payload.get("body") or {}
    user = (payload.get("from") or {}).get("user") or {}
    content = str(body.get("content") or "")
    html = content if str(body.get("contentType") or "").lower() == "html" else None
    conversation, root, _ = conversation_of(activity)
    message_id = str(payload.get("id") or "")
    return ChatMessage(
        **_where(activity, message_id),
        platform=PLATFORM,
        conversation=conversation,
        message_id=message_id,
        author_id=str(user.get("aadObjectId") or user.get("id") or "okänd"),
        author_name=user.get("displayName") or None,
        text=content if html is None else str(payload.get("subject") or "Meddelande i Teams"),
        html=html,
        at=_when(payload.get("createdDateTime")),
        thread_root=root if root and root != message_id else None,
    )
