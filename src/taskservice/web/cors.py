"""Cross-origin requests from browsers: off unless TASKSERVICE_CORS_ORIGINS lists origins.

The API authenticates with a bearer header, never a cookie, so credentials stay
off; the headers a client reads (ETag for If-Match, Location, the request id,
Retry-After) are exposed. The middleware is outermost, so error responses carry
the CORS headers too and a browser client can read every problem.
"""

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from taskservice.config import Settings

ALLOWED_HEADERS = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "X-Request-ID",
]
EXPOSED_HEADERS = ["ETag", "Location", "X-Request-ID", "Retry-After", "Idempotent-Replayed"]
PREFLIGHT_MAX_AGE_S = 600


def install_cors(app: FastAPI, settings: Settings) -> None:
    """Call last among the middleware, so that CORS wraps everything else."""
    if not settings.cors_origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        allow_credentials=False,
        max_age=PREFLIGHT_MAX_AGE_S,
    )
