"""Chat messages that are applications: what Slack and Teams share between feeding a message to
the intake and telling an official what became of it.

The adapters decide *whether* a message is an application (an intake channel, a direct message
from someone who is not an official, the ``Skapa ärende`` action); this module feeds it through
:class:`~samverkan.intake.feeders.chat.ChatFeeder`. The actor's answer (the case reference and
what is missing, or that a reply joined its case) is not posted from here: the intake queues it
in the outbox with the case, for the thread the message came from (and by e-mail when the
platform gave an address), and the delivery posts it.

A personal chat has no threads, so a message there answers the conversation's latest message
and joins its case, unless that case is closed: a message after a decision (``avslag``,
``avslutad``, ``återkallad``) is a new application, not a late reply to the old one.
"""

from __future__ import annotations

from samverkan.bot.dispatch import Dispatcher
from samverkan.intake.feeders.chat import ChatFeeder, ChatMessage, chat_message_id
from samverkan.intake.outcome import IngestResult, Outcome
from samverkan.rules.phases import TERMINAL
from samverkan.storage.cases import find_case
from samverkan.storage.messages import latest_inbound_from, seen_messages

__all__ = ["ChatIntake", "official_note"]


class ChatIntake:
    """Feeds chat messages to the intake."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.feeder = ChatFeeder(dispatcher.intake)

    def is_official(self, ident: str) -> bool:
        return self.dispatcher.role_of(ident) is not None

    def case_of_thread(self, platform: str, conversation: str, root: str) -> str | None:
        """The case a thread's first message belongs to, if it became one."""
        wanted = chat_message_id(platform, conversation, root)
        with self.dispatcher.engine.connect() as conn:
            found = seen_messages(conn, [], [wanted])
        return next((ref for _, _, ref in found if ref), None)

    def receive(self, message: ChatMessage, *, personal: bool = False) -> IngestResult:
        """Feed one message and commit; its answer waits in the outbox. In a personal chat
        the conversation is the thread, so a message answers the conversation's latest one
        when that one's case is still open."""
        answers = None
        if personal and message.thread_root is None:
            answers = self._open_conversation(f"{message.platform}:{message.conversation}/")
        (result,) = self.feeder.feed([message], answers=[answers])
        return result

    def _open_conversation(self, prefix: str) -> str | None:
        """The Message-ID of the conversation's latest message, if its case is not closed."""
        with self.dispatcher.engine.connect() as conn:
            latest = latest_inbound_from(conn, prefix)
            if latest is None:
                return None
            found = [ref for _, _, ref in seen_messages(conn, [], [latest]) if ref]
            case = find_case(conn, found[0]) if found else None
        if case is not None and case.phase in TERMINAL:
            return None  # a decision ended that conversation: this is a new application
        return latest


def official_note(result: IngestResult, platform: str) -> str:
    """What an official who used ``Skapa ärende`` is told (the actor's answer is queued)."""
    if result.outcome is Outcome.CREATED and result.case:
        return f"Ärende {result.case} är skapat. Sökande får svaret i tråden i {platform}."
    if result.outcome is Outcome.APPENDED and result.case:
        return f"Meddelandet är tillagt i ärende {result.case}."
    if result.outcome is Outcome.QUARANTINED:
        return "Meddelandet gick inte att läsa som en ansökan och ligger i karantän."
    return "Meddelandet är redan ett ärende."
