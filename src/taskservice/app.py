"""The application factory and its lifespan (the engine is made and disposed there)."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from taskservice import __version__
from taskservice.config import Settings, get_settings
from taskservice.db import create_engine, create_sessionmaker
from taskservice.errors import install_error_handlers
from taskservice.health import router as health_router
from taskservice.middleware import RequestIdMiddleware
from taskservice.openapi import install_openapi, operation_id
from taskservice.tasks.idempotency import IdempotencyStore
from taskservice.tasks.router import router as tasks_router

logger = logging.getLogger("taskservice")

DESCRIPTION = """
A multi-user task service. Every call except the health checks needs an API key:
`Authorization: Bearer <key>` (create one with `taskservice users create NAME`).
Errors are `application/problem+json` (RFC 9457).
"""

PURGE_INTERVAL_S = 3600.0


async def _purge_expired_idempotency_keys(store: IdempotencyStore) -> None:
    while True:
        try:
            purged = await store.purge_expired()
            if purged:
                logger.info("purged %d expired idempotency keys", purged)
        except Exception:
            logger.exception("purging idempotency keys failed")
        await asyncio.sleep(PURGE_INTERVAL_S)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        app.state.settings = settings
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        store = IdempotencyStore(
            app.state.sessionmaker,
            ttl=timedelta(hours=settings.idempotency_ttl_hours),
            processing_timeout=timedelta(seconds=settings.idempotency_processing_timeout_s),
        )
        purger = asyncio.create_task(_purge_expired_idempotency_keys(store))
        try:
            yield
        finally:
            purger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purger
            await engine.dispose()

    app = FastAPI(
        title="taskservice",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    app.add_middleware(RequestIdMiddleware, max_body_bytes=settings.max_body_bytes)
    install_error_handlers(app)
    app.include_router(health_router)
    app.include_router(tasks_router)
    install_openapi(app)
    return app
