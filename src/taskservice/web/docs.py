"""/docs (Swagger UI) and /redoc, served from local copies of their scripts.

FastAPI's own pages load Swagger UI and ReDoc from a CDN (and ReDoc its fonts
from Google), so without internet they are blank. The ``fastapi-offline``
package ships those files (pinned in constraints.txt); we serve them from
/static/docs and render FastAPI's page templates pointing at them.

The pages also carry a Content-Security-Policy that allows this origin alone: ReDoc
hard-codes one image from its vendor's CDN (a logo), and the browser must not even
try to fetch it. (Both pages need inline script or styles, which the policy allows.)
"""

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

DOCS_ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))
DOCS_ASSETS_URL = "/static/docs"
DOCS_URL = "/docs"
REDOC_URL = "/redoc"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; frame-ancestors 'none'"
)


def _local_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
    return page


def install_docs(app: FastAPI) -> None:
    """Give ``app`` (made with ``docs_url=None, redoc_url=None``) its offline docs."""
    app.mount(DOCS_ASSETS_URL, StaticFiles(directory=DOCS_ASSETS_DIR), name="docs-assets")
    favicon = f"{DOCS_ASSETS_URL}/favicon.png"

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=favicon,
            oauth2_redirect_url=OAUTH2_REDIRECT_URL,
            # No "validate this schema online" badge: it would call out to the internet.
            swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": None},
        )
        return _local_only(page)

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{DOCS_ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=favicon,
            with_google_fonts=False,
        )
        return _local_only(page)
