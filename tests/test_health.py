"""/healthz and /readyz."""

from pathlib import Path

import httpx

from taskservice.app import create_app
from taskservice.config import Settings


async def get(settings: Settings, path: str) -> httpx.Response:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path)


class TestHealth:
    async def test_healthz(self, client) -> None:  # type: ignore[no-untyped-def]
        response = await client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    async def test_ready_when_migrated(self, client) -> None:  # type: ignore[no-untyped-def]
        from taskservice.migrations import head_revisions

        response = await client.get("/readyz")

        assert response.status_code == 200
        assert response.json() == {
            "status": "ready",
            "database": "ok",
            "migrations": ",".join(sorted(head_revisions())),
        }


class TestNotReady:
    async def test_unmigrated_database_is_503(self, tmp_path: Path) -> None:
        settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")

        response = await get(settings, "/readyz")

        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert "run `taskservice migrate`" in response.json()["detail"]
        assert (await get(settings, "/healthz")).status_code == 200

    async def test_unreachable_database_is_503(self) -> None:
        settings = Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none")

        response = await get(settings, "/readyz")

        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert response.json()["type"] == "urn:taskservice:problem:database-unavailable"
        assert response.json()["detail"] == "The database is unavailable; try again shortly."
