"""The application factory and its lifespan (the engine is made and disposed there)."""

import asyncio
import contextlib
import gc
import logging
import signal
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from types import FrameType

from agents.tracing import get_trace_provider
from fastapi import FastAPI

from taskservice import __version__
from taskservice.agent.provider import build_models
from taskservice.agent.router import router as agent_router
from taskservice.agent.runs.lifecycle import AgentRuns
from taskservice.agent.sessions import purge_expired_sessions
from taskservice.auth.cache import VerifiedKeys
from taskservice.config import Settings, get_settings
from taskservice.db import create_db_sessionmaker, create_engine, run_to_completion
from taskservice.errors import install_error_handlers
from taskservice.health import router as health_router
from taskservice.mcp.server import McpEndpoint, install_mcp
from taskservice.middleware import RequestIdMiddleware
from taskservice.observability.endpoint import install_metrics
from taskservice.observability.http import ObservedRequests
from taskservice.observability.pool import MeteredPool
from taskservice.observability.workers import worker_stopped
from taskservice.openapi import install_openapi, operation_id
from taskservice.resources import Resources
from taskservice.tasks.calendar import Clock, utc_now
from taskservice.tasks.history_router import router as history_router
from taskservice.tasks.idempotency import IdempotencyStore
from taskservice.tasks.router import router as tasks_router
from taskservice.web.cors import install_cors
from taskservice.web.docs import install_docs
from taskservice.web.router import install_web_app

logger = logging.getLogger("taskservice")

DESCRIPTION = """
A multi-user task service. Every call except the health checks needs an API key:
`Authorization: Bearer <key>` (create one with `taskservice users create NAME`).
The same tasks are tools for MCP clients at `/mcp` (Streamable HTTP, same keys).
Errors are `application/problem+json` (RFC 9457).
"""

PURGE_INTERVAL_S = 3600.0
PURGE_DELAY_S = 60.0


async def _purge_expired(store: IdempotencyStore, runs: AgentRuns) -> None:
    """Hourly: forget expired idempotency keys and idle agent sessions.

    Reads never serve expired data (every lookup checks the expiry); this only
    reclaims space, so it starts a minute after startup, off the critical path.
    """
    await asyncio.sleep(PURGE_DELAY_S)
    while True:
        try:
            keys = await run_to_completion(store.purge_expired())
            sessions = await run_to_completion(
                purge_expired_sessions(runs.db_sessions, runs.session_ttl)
            )
            if keys or sessions:
                logger.info("purged %d idempotency keys, %d agent sessions", keys, sessions)
        except Exception:
            logger.exception("purging expired data failed")
        await asyncio.sleep(PURGE_INTERVAL_S)


SHUTTING_DOWN = "The server is shutting down."


@contextlib.contextmanager
def runs_stop_on_shutdown_signals(runs: AgentRuns) -> Iterator[None]:
    """On SIGTERM or SIGINT, stop the agent runs at once, then let the server shut down.

    Uvicorn lets open requests finish before it shuts the app down, and an agent run may
    take a minute; there is no ASGI event for "shutdown begins". So the handlers uvicorn
    installed are chained: ours asks every run to stop (each records itself as cancelled
    and answers its client), then uvicorn's proceeds. Restored when the app stops.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def handle(sig: int, frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(runs.stop_all_now, SHUTTING_DOWN)
        chained = previous[signal.Signals(sig)]
        if callable(chained):
            chained(sig, frame)
        elif chained == signal.SIG_DFL and sig == signal.SIGINT:
            raise KeyboardInterrupt

    for sig in previous:
        signal.signal(sig, handle)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            if signal.getsignal(sig) is handle:
                signal.signal(sig, handler)


_startup_frozen = False


def freeze_what_startup_made() -> None:
    """Once per process: put every object that imports and startup made (~250,000:
    modules, routes, the agents SDK, the MCP server, table definitions) out of reach of
    the cyclic garbage collector. A full collection scanned them all, 150 ms each time
    (a pause that every request in flight waits out, and ~20% more CPU per request at
    64 connections); it now scans only what serving allocated since. Garbage is
    collected first, so none is kept for good."""
    global _startup_frozen
    if not _startup_frozen:
        _startup_frozen = True
        gc.collect()
        gc.freeze()


@asynccontextmanager
async def build_resources(settings: Settings, clock: Clock = utc_now) -> AsyncIterator[Resources]:
    """Everything the app needs while it serves, made at startup and disposed at shutdown.
    ``clock`` is what every "today" is counted from (tests pass their own)."""
    engine = create_engine(settings, poolclass=MeteredPool if settings.metrics else None)
    db_sessions = create_db_sessionmaker(engine)
    models = build_models(settings)
    verified_keys = VerifiedKeys(settings.auth_cache_ttl_s)
    resources = Resources(
        settings=settings,
        engine=engine,
        db_sessions=db_sessions,
        verified_keys=verified_keys,
        idempotency=IdempotencyStore(
            db_sessions,
            ttl=timedelta(hours=settings.idempotency_ttl_hours),
            processing_timeout=timedelta(seconds=settings.idempotency_processing_timeout_s),
        ),
        agent_runs=AgentRuns(
            settings, engine, db_sessions, models.agent, models.guardrail, clock=clock
        ),
        mcp=McpEndpoint(settings, db_sessions, verified_keys, clock),
        clock=clock,
    )
    background = [
        asyncio.create_task(_purge_expired(resources.idempotency, resources.agent_runs)),
        asyncio.create_task(resources.agent_runs.reap_forever()),
    ]
    try:
        async with resources.mcp.running():
            yield resources
    finally:
        await resources.agent_runs.stop_all(SHUTTING_DOWN)
        for task in background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if models.client is not None:
            await models.client.close()
        if settings.tracing == "openai" or settings.otlp_endpoint:
            # Export what is queued now: under SIGTERM (systemd, containers) the
            # SDK's exit hook never runs and the last traces would be lost.
            await asyncio.to_thread(get_trace_provider().force_flush)
        await engine.dispose()
        worker_stopped()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with build_resources(settings) as resources:
            app.state.resources = resources
            freeze_what_startup_made()
            with runs_stop_on_shutdown_signals(resources.agent_runs):
                yield

    app = FastAPI(
        title="taskservice",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None,  # served from local assets by install_docs
        redoc_url=None,
    )
    app.add_middleware(RequestIdMiddleware, max_body_bytes=settings.max_body_bytes)
    install_error_handlers(app)
    app.include_router(health_router)
    app.include_router(tasks_router)
    app.include_router(history_router)
    app.include_router(agent_router)
    install_mcp(app)
    install_openapi(app)
    install_docs(app)
    install_web_app(app)
    install_cors(app, settings)
    install_metrics(app, settings)
    # Outermost, so it sees every answer (the request-id middleware's 413 and 500 too).
    app.add_middleware(ObservedRequests, metrics=settings.metrics)
    return app
