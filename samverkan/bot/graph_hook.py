"""``POST /graph/notifications``: where Microsoft Graph announces new mail (change
notifications), translated into a wake-up of the Graph watcher.

Graph first checks the URL by POSTing ``?validationToken=…`` and wants the token back as
plain text within 10 s; after that it POSTs notifications as JSON and wants 202 within 3 s.
The watcher decides whether a notification is ours (its ``clientState``); nothing else is
done with the content, since the delta query reads the mail.
"""

from __future__ import annotations

from collections.abc import Callable
from json import JSONDecodeError

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from samverkan.intake.feeders.graph import GraphWatcher
from samverkan.intake.feeders.watching import MailWatcher

MAX_BODY = 1_000_000  # a batch of notifications is a few kB


def graph_routes(watcher: Callable[[], MailWatcher | None]) -> list[Route]:
    """The notification endpoint, for the service's current mail watcher."""

    async def notifications(request: Request) -> Response:
        token = request.query_params.get("validationToken")
        if token is not None:
            return PlainTextResponse(token[:1024], headers={"X-Content-Type-Options": "nosniff"})
        current = watcher()
        if not isinstance(current, GraphWatcher):
            return Response(status_code=404)
        body = await request.body()
        if len(body) > MAX_BODY:
            return Response(status_code=413)
        try:
            payload = await request.json()
        except (JSONDecodeError, UnicodeDecodeError):
            return Response(status_code=400)
        return Response(status_code=202 if current.notified(payload) else 403)

    return [Route("/graph/notifications", notifications, methods=["POST"])]
