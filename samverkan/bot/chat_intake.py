"""Chat messages that are applications: what Slack and Teams share between feeding a message to
the intake and answering in its thread.

The adapters decide *whether* a message is an application (an intake channel, a direct message
from someone who is not an official, the ``Skapa ärende`` action); this module feeds it through
:class:`~samverkan.intake.feeders.chat.ChatFeeder` and says what to answer: the case reference
and what is missing, like the acknowledgement e-mail, or that a reply joined its case.
"""

from __future__ import annotations

from samverkan.bot.context import evaluation_of
from samverkan.bot.dispatch import Dispatcher
from samverkan.bot.reply import Block, Reply, ReplyStatus, Text, actor, paragraph, reply
from samverkan.intake.feeders.chat import ChatFeeder, ChatMessage, chat_message_id
from samverkan.intake.outcome import IngestResult, Outcome
from samverkan.storage import cases as case_store
from samverkan.storage.db import session_scope
from samverkan.storage.messages import latest_inbound_from, seen_messages

__all__ = ["ChatIntake"]


class ChatIntake:
    """Feeds chat messages to the intake and words the answer for the thread."""

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

    def receive(self, message: ChatMessage, *, personal: bool = False) -> Reply | None:
        """Feed one message; the answer for its thread, or None when there is nothing to say
        (a duplicate delivery, an automatic message). In a personal chat the conversation is
        the thread, so a message answers the conversation's latest one."""
        answers = None
        if personal and message.thread_root is None:
            prefix = f"{message.platform}:{message.conversation}/"
            with self.dispatcher.engine.connect() as conn:
                answers = latest_inbound_from(conn, prefix)
        (result,) = self.feeder.feed([message], answers=[answers])
        return self.answer(result)

    def answer(self, result: IngestResult) -> Reply | None:
        if result.outcome is Outcome.CREATED and result.case:
            return self._created(result.case)
        if result.outcome is Outcome.APPENDED and result.case:
            blocks = [paragraph(f"Tack! Ert svar är tillagt i ärende {result.case}.")]
            return reply(ReplyStatus.OK, *blocks, *self._missing(result.case))
        if result.outcome is Outcome.QUARANTINED:
            return reply(
                ReplyStatus.OK,
                paragraph(
                    "Tack! Vi har tagit emot ert meddelande. En handläggare går igenom det "
                    "och hör av sig."
                ),
            )
        return None

    def _created(self, ref: str) -> Reply:
        missing = self._missing(ref)
        blocks: list[Block] = [
            paragraph(
                f"Tack för er ansökan om samverkansstöd! Den är registrerad som ärende {ref}."
            )
        ]
        if missing:
            blocks.append(
                paragraph("För att vi ska kunna bedöma ansökan behöver vi några uppgifter till:")
            )
            blocks += missing
            blocks.append(paragraph("Svara gärna här i tråden."))
        else:
            blocks.append(
                paragraph(
                    "En kontaktperson på fastighets- och gatukontoret går igenom ansökan och "
                    "hör av sig här."
                )
            )
        return reply(ReplyStatus.OK, *blocks)

    def _missing(self, ref: str) -> list[Block]:
        with session_scope(self.dispatcher.engine) as session:
            evaluation = evaluation_of(session, case_store.get_case(session, ref))
        if evaluation is None:
            return []
        lines = self.dispatcher.intake.assessor.missing(evaluation)
        if not lines:
            return []
        parts: list[str | Text] = []
        for line in lines:
            parts += ["\n• " if parts else "• ", actor(line)]
        return [paragraph(*parts)]
