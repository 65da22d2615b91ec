"""GET / and the app's static files: all shipped in the package, nothing from elsewhere."""

import re
from pathlib import Path

import httpx

from taskservice.web.router import CONTENT_SECURITY_POLICY, STATIC_DIR

APP_FILES = sorted(path for path in STATIC_DIR.rglob("*") if path.is_file())


def url_of(path: Path) -> str:
    return f"/static/app/{path.relative_to(STATIC_DIR).as_posix()}"


class TestAppPage:
    async def test_root_serves_the_app_with_a_strict_policy(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/")

        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-cache"
        assert response.content == (STATIC_DIR / "index.html").read_bytes()
        assert '<script type="module" src="/static/app/js/main.js"></script>' in response.text

    async def test_head_of_root(self, client: httpx.AsyncClient) -> None:
        response = await client.head("/")

        assert response.status_code == 200
        assert response.content == b""
        assert int(response.headers["content-length"]) == (STATIC_DIR / "index.html").stat().st_size

    async def test_every_file_is_served_with_its_type(self, client: httpx.AsyncClient) -> None:
        types = {
            ".js": "text/javascript; charset=utf-8",
            ".css": "text/css; charset=utf-8",
            ".html": "text/html; charset=utf-8",
            ".svg": "image/svg+xml",
        }
        assert {path.suffix for path in APP_FILES} == set(types)
        for path in APP_FILES:
            response = await client.get(url_of(path))
            assert response.status_code == 200, path
            assert response.headers["content-type"] == types[path.suffix], path
            assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
            assert response.content == path.read_bytes(), path

    async def test_a_missing_file_is_a_problem(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/static/app/js/nothing.js")

        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    async def test_nothing_is_fetched_from_another_host(self) -> None:
        """No CDN, no web fonts: no file of the app names another host (an XML
        namespace is a name, not a request)."""
        for path in APP_FILES:
            text = re.sub(r'xmlns="[^"]*"', "", path.read_text())
            assert re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text) is None, path
            assert "@import" not in text, path
            assert "@font-face" not in text, path

    async def test_every_module_and_asset_reference_resolves(self) -> None:
        index = (STATIC_DIR / "index.html").read_text()
        referenced = re.findall(r'(?:src|href)="/static/app/([^"]+)"', index)
        assert sorted(referenced) == ["app.css", "icon.svg", "js/main.js"]
        for name in referenced:
            assert (STATIC_DIR / name).is_file(), name
        for module in (STATIC_DIR / "js").glob("*.js"):
            for imported in re.findall(r'from "(\./[^"]+)"', module.read_text()):
                assert (module.parent / imported).resolve().is_file(), (module.name, imported)
