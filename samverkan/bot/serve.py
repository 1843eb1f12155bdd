"""``samverkan serve``: the mail watcher, the scheduler and the HTTP endpoints in one process.

Each part fails on its own: a mailbox that is away makes ``/healthz`` say so, while the
scheduler and the chat endpoints go on working.
"""

from __future__ import annotations

import errno
import logging
import signal
import socket
import threading
from datetime import datetime
from typing import Any

import uvicorn
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from samverkan.bot import health, intake_health
from samverkan.bot.deadlines import policy_of, refusal
from samverkan.bot.delivery.setup import delivery
from samverkan.bot.gallring import run_disposal
from samverkan.bot.graph_hook import graph_routes
from samverkan.bot.metrics import CONTENT_TYPE, Metrics
from samverkan.bot.slack import SlackBridge, SlackConfigError, build_slack
from samverkan.bot.startup import log_configuration
from samverkan.bot.teams import teams_routes
from samverkan.bot.tick import run_tick
from samverkan.clock import utc_now
from samverkan.config import Settings
from samverkan.intake.feeders.start import MailboxConfigError, start_mail_watcher
from samverkan.intake.feeders.watching import HealthState, MailWatcher, default_holder
from samverkan.intake.m365.token import shared_auth
from samverkan.intake.pipeline import Intake
from samverkan.rules.deadline_policy import DeadlinePolicyError
from samverkan.storage.db import session_scope
from samverkan.storage.outbox import Finish, OutboxItem
from samverkan.storage.reference import sync_officials

log = logging.getLogger(__name__)


class ConfigurationError(Exception):
    """The settings do not make a service that can start; ``str()`` says what to fix."""


class Service:
    """Owns the long-running parts; built from settings, started and stopped as one."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.metrics = Metrics(engine, clock=utc_now, mailbox=self._mailbox_view)
        self.intake = Intake(engine, settings, observer=self.metrics.observe_intake)
        # A half-configured chat platform stops the service at start-up, with the reason.
        try:
            self.slack: SlackBridge | None = build_slack(
                settings, engine, self.intake, clock=utc_now
            )
            self.teams = teams_routes(settings, engine, self.intake, clock=utc_now)
        except (SlackConfigError, ValueError) as exc:
            raise ConfigurationError(str(exc)) from exc
        self.delivery = delivery(settings, engine)
        self.delivery.observer = self._observe_delivery
        self.connections = health.Connections(list(self.delivery.transports), utc_now)
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
                lines = run_tick(self.engine, self.settings, utc_now(), drainer=self.delivery)
                for line in lines:
                    log.info("tick: %s", line)
            except Exception:
                log.exception("tick failed; the next tick tries again")

    def dispose(self) -> None:
        """The nightly disposal by the retention plan (gallring); errors wait for tomorrow."""
        try:
            for line in run_disposal(self.engine, self.settings, utc_now()):
                log.info("gallring: %s", line)
        except Exception:
            log.exception("gallringen misslyckades; nästa natt försöker igen")

    def report_intake_health(self, now: datetime | None = None) -> None:
        """The daily intake-health message to the officials (once among the instances)."""
        watcher = self.watcher
        lease = watcher.lease if watcher is not None else None
        mailbox = intake_health.Mailbox(
            health=watcher.health if watcher is not None else None,
            reading_here=lease is not None and lease.held,
            holder=lease.current_holder() if lease is not None else None,
        )
        auth = shared_auth(self.settings)
        try:
            text = intake_health.queue_daily_report(
                self.engine,
                self.settings,
                now or utc_now(),
                mailbox,
                auth.status() if auth is not None else None,
                holder=lease.holder if lease is not None else default_holder(),
            )
        except Exception:
            log.exception("intagets hälsorapport kunde inte köas; i morgon försöker den igen")
            return
        if text is not None:
            log.info("intagets hälsa köad till handläggarna")

    def deliver(self) -> None:
        """Drain the outbox (e-mail, Slack, Teams) on its own, shorter schedule than the tick."""
        with self._tick_lock:
            try:
                for line in self.delivery.run(utc_now()).lines():
                    log.info("utkorg: %s", line)
            except Exception:
                log.exception("utkorgen kunde inte tömmas; nästa omgång försöker igen")

    def health(self) -> tuple[int, dict[str, Any]]:
        auth = shared_auth(self.settings)
        token = auth.status() if auth is not None else None
        extra: dict[str, dict[str, Any]] = {}
        socket = self.slack.socket if self.slack is not None else None
        if socket is not None:  # Socket Mode: whether the websocket to Slack is up
            extra["slack"] = {"socket_connected": bool(socket.client.is_connected())}
        return health.report(self.engine, self.watcher, token, self.connections.snapshot(), extra)

    def _mailbox_view(self) -> tuple[HealthState, bool] | None:
        watcher = self.watcher
        if watcher is None:
            return None
        return watcher.health.state, watcher.lease is not None and watcher.lease.held

    def _observe_delivery(self, item: OutboxItem, finish: Finish) -> None:
        self.metrics.observe_delivery(item, finish)
        self.connections.observe(item, finish)

    def http_app(self) -> Starlette:
        async def healthz(_request: Request) -> JSONResponse:
            status, body = await run_in_threadpool(self.health)
            return JSONResponse(body, status_code=status)

        async def metrics(_request: Request) -> Response:
            body = await run_in_threadpool(self.metrics.render)
            return Response(body, media_type=CONTENT_TYPE)

        routes = [
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            *self.teams,  # POST /api/messages when Teams is configured
        ]
        if self.settings.graph_notification_url:  # Graph's change notifications
            routes += graph_routes(lambda: self.watcher)
        if self.slack is not None:
            routes += self.slack.routes()  # POST /slack/events (none without a signing secret)
        return Starlette(routes=routes)

    def start(self) -> None:
        logging.getLogger().addHandler(self.metrics.error_handler)
        with session_scope(self.engine) as session:  # the table mirrors SAMVERKAN_OFFICIALS
            sync_officials(session, self.settings.officials)
        try:
            self.watcher = start_mail_watcher(self.settings, self.engine, self.intake)
        except MailboxConfigError as exc:
            raise ConfigurationError(str(exc)) from exc
        self.scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.settings.tick_seconds,
            id="tick",
            next_run_time=utc_now(),
        )
        self.scheduler.add_job(
            self.deliver, "interval", seconds=self.settings.delivery_seconds, id="delivery"
        )
        self.scheduler.add_job(self.dispose, "cron", hour=2, minute=30, id="gallring")
        self.scheduler.add_job(
            self.report_intake_health, "cron", hour=7, minute=0, id="intake-health"
        )
        self.scheduler.start()
        if self.slack is not None:
            self.slack.start()  # Socket Mode connects when SLACK_APP_TOKEN is set

    def stop(self) -> None:
        if self.slack is not None:
            self.slack.stop()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        if self.watcher is not None:
            self.watcher.stop()
        logging.getLogger().removeHandler(self.metrics.error_handler)


def listen(host: str, port: int) -> socket.socket:
    """The HTTP socket, bound now, so a port in use is one clear line instead of a trace."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ConfigurationError(
                f"Port {port} på {host} används redan av ett annat program (kanske en annan "
                "samverkan serve). Stoppa det, eller välj en annan port med SAMVERKAN_HTTP_PORT."
            ) from exc
        raise ConfigurationError(f"Kan inte lyssna på {host}:{port}: {exc.strerror}") from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(settings: Settings, engine: Engine, *, host: str) -> None:
    """Run until SIGINT or SIGTERM, then stop every part and return (exit code 0).

    uvicorn runs in a thread so that the signals come to us: we stop the HTTP server, the
    scheduler and the mail watcher in order, instead of dying half-way.
    """
    try:  # a deadline policy file with a mistake stops the service before anything runs
        policy_of(settings)
    except DeadlinePolicyError as exc:
        raise ConfigurationError(refusal(exc)) from exc
    sock = listen(host, settings.http_port)  # before anything starts: a taken port stops here
    service = Service(settings, engine)
    stopping = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        log.info("Stoppar (signal %s)", signal.Signals(signum).name)
        stopping.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    server = uvicorn.Server(
        uvicorn.Config(service.http_app(), host=host, port=settings.http_port, log_level="warning")
    )
    http = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="http", daemon=True)
    log_configuration(settings, log)
    try:
        service.start()
        http.start()
        log.info("Samverkan lyssnar på http://%s:%d", host, settings.http_port)
        while not stopping.wait(1.0):
            if not http.is_alive():
                raise RuntimeError(f"HTTP-servern stannade (port {settings.http_port} upptagen?)")
    finally:
        server.should_exit = True
        http.join(timeout=10)
        service.stop()
        sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
