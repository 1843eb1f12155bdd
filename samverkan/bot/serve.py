"""``samverkan serve``: the mail watcher, the scheduler and the HTTP endpoints in one process.

Each part fails on its own: a mailbox that is away makes ``/healthz`` say so, while the
scheduler and the chat endpoints go on working.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any

import uvicorn
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from samverkan.bot.tick import run_tick
from samverkan.config import Settings
from samverkan.intake.mailbox import MailWatcher, start_mail_watcher
from samverkan.intake.pipeline import Intake

log = logging.getLogger(__name__)

TICK_SECONDS = 30


def utc_now() -> datetime:
    return datetime.now(UTC)


class Service:
    """Owns the long-running parts; built from settings, started and stopped as one."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.intake = Intake(engine, settings)
        self.watcher: MailWatcher | None = None
        self.scheduler = BackgroundScheduler(
            timezone=settings.timezone,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self._tick_lock = threading.Lock()

    def tick(self) -> None:
        """The scheduler's job; errors are logged, never allowed to stop the schedule."""
        with self._tick_lock:
            try:
                for line in run_tick(self.engine, self.settings, utc_now()):
                    log.info("tick: %s", line)
            except Exception:
                log.exception("tick failed; the next tick tries again")

    def health(self) -> tuple[int, dict[str, Any]]:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            database = "ok"
        except SQLAlchemyError as exc:
            database = f"fel: {type(exc).__name__}"
        body: dict[str, Any] = {"database": database}
        if self.watcher is not None:
            h = self.watcher.health
            body["mailbox"] = {
                "state": h.state.value,
                "last_error": h.last_error,
                "last_success_at": h.last_success_at.isoformat() if h.last_success_at else None,
            }
        degraded = database != "ok" or body.get("mailbox", {}).get("state") not in (
            None,
            "ok",
            "standby",
        )
        body["status"] = "degraded" if degraded else "ok"
        return (503 if database != "ok" else 200), body

    def http_app(self) -> Starlette:
        async def healthz(_request: Request) -> JSONResponse:
            status, body = self.health()
            return JSONResponse(body, status_code=status)

        return Starlette(routes=[Route("/healthz", healthz, methods=["GET"])])

    def start(self) -> None:
        self.watcher = start_mail_watcher(self.settings, self.engine, self.intake)
        self.scheduler.add_job(
            self.tick, "interval", seconds=TICK_SECONDS, id="tick", next_run_time=utc_now()
        )
        self.scheduler.start()

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        if self.watcher is not None:
            self.watcher.stop()


def serve(settings: Settings, engine: Engine, *, host: str) -> None:
    """Run until SIGINT/SIGTERM (uvicorn handles the signals), then stop every part."""
    service = Service(settings, engine)
    service.start()
    try:
        config = uvicorn.Config(
            service.http_app(), host=host, port=settings.http_port, log_level="warning"
        )
        log.info("Samverkan lyssnar på http://%s:%d", host, settings.http_port)
        uvicorn.Server(config).run()
    finally:
        service.stop()
