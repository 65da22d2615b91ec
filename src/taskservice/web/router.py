"""GET / and /static/app/...: the single-page app, shipped inside the package.

The app is plain HTML, CSS and ES modules: no build step, nothing fetched from
another host. Its pages get a strict Content-Security-Policy (only our own
scripts and styles, requests only to this origin), so text from a task can
never run as script even if a bug were to put it in the page as markup.
"""

import mimetypes
import os
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

# Browsers refuse an ES module served with another type, and the guess comes from
# the machine (a Windows registry may say text/plain): state it.
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("image/svg+xml", ".svg")

STATIC_DIR = Path(__file__).parent / "static"
STATIC_URL = "/static/app"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
APP_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Revalidate every time (a cheap 304 thanks to the ETag), so an upgrade is
    # seen on the next load and the page never mixes old and new modules.
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@router.api_route("/", methods=["GET", "HEAD"])
async def web_app() -> FileResponse:
    """The task board and the assistant, in one page."""
    return FileResponse(STATIC_DIR / "index.html", headers=APP_HEADERS)


class AppStaticFiles(StaticFiles):
    """Static files with the app's security and caching headers."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers.update(APP_HEADERS)
        return response


def install_web_app(app: FastAPI) -> None:
    app.include_router(router)
    app.mount(STATIC_URL, AppStaticFiles(directory=STATIC_DIR), name="web-app")
