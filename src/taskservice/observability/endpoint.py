"""``GET /metrics``: the Prometheus text format, of every worker.

Open by default, as Prometheus scrapes (an operator keeps it off the public network,
or behind the proxy's rules); with ``TASKSERVICE_METRICS_TOKEN`` set it wants that
token as ``Authorization: Bearer <token>``. It says nothing about any user: counts,
timings and route templates only. Not in the OpenAPI document (not part of the API).
"""

import asyncio
import hmac

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from taskservice.config import Settings
from taskservice.errors import Unauthorized
from taskservice.observability import metrics


def install_metrics(app: FastAPI, settings: Settings) -> None:
    if not settings.metrics:
        return
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    router = APIRouter(include_in_schema=False)

    @router.get("/metrics")
    async def metrics_text(request: Request) -> Response:
        if token is not None and not _bearer_is(request, token):
            raise Unauthorized("Send the metrics token as `Authorization: Bearer <token>`.")
        # Reading every worker's files is blocking I/O: off the event loop.
        body = await asyncio.to_thread(metrics.render)
        return Response(body, media_type=metrics.CONTENT_TYPE)

    app.include_router(router)


def _bearer_is(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )
