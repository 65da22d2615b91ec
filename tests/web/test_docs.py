"""/docs and /redoc work without internet: every asset they load is served by us."""

import re

import httpx

from taskservice.web.docs import DOCS_ASSETS_DIR, DOCS_CONTENT_SECURITY_POLICY

EXTERNAL = re.compile(r"""(?:src|href)=["']?(https?:)?//""")


def assets_of(page: str) -> list[str]:
    return re.findall(r"""(?:src|href)=["']?(/static/docs/[^"'\s>]+)""", page)


class TestOfflineDocs:
    async def test_swagger_ui_loads_only_local_assets(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/docs")

        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        page = response.text
        assert EXTERNAL.search(page) is None
        assert sorted(assets_of(page)) == [
            "/static/docs/favicon.png",
            "/static/docs/swagger-ui-bundle.js",
            "/static/docs/swagger-ui.css",
        ]
        assert response.headers["content-security-policy"] == DOCS_CONTENT_SECURITY_POLICY
        assert "url: '/openapi.json'" in page
        assert '"validatorUrl": null' in page
        assert "oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect'" in page

    async def test_redoc_loads_only_local_assets_and_no_fonts(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/redoc")

        assert response.status_code == 200
        page = response.text
        assert EXTERNAL.search(page) is None
        assert "fonts.googleapis.com" not in page
        assert sorted(assets_of(page)) == [
            "/static/docs/favicon.png",
            "/static/docs/redoc.standalone.js",
        ]
        assert 'spec-url="/openapi.json"' in page
        assert response.headers["content-security-policy"] == DOCS_CONTENT_SECURITY_POLICY

    async def test_assets_are_served_whole(self, client: httpx.AsyncClient) -> None:
        for name, media_type in [
            ("swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
            ("swagger-ui.css", "text/css; charset=utf-8"),
            ("redoc.standalone.js", "text/javascript; charset=utf-8"),
            ("favicon.png", "image/png"),
        ]:
            response = await client.get(f"/static/docs/{name}")
            assert response.status_code == 200, name
            assert response.headers["content-type"] == media_type, name
            assert response.content == (DOCS_ASSETS_DIR / name).read_bytes(), name

    async def test_oauth2_redirect_page(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/docs/oauth2-redirect")

        assert response.status_code == 200
        assert "oauth2" in response.text

    async def test_docs_pages_are_not_operations(self, client: httpx.AsyncClient) -> None:
        paths = (await client.get("/openapi.json")).json()["paths"]

        assert [p for p in paths if p in ("/", "/docs", "/redoc") or "static" in p] == []
