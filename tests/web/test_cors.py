"""CORS: off by default; TASKSERVICE_CORS_ORIGINS turns it on for the listed origins."""

from collections.abc import AsyncIterator

import httpx
import pydantic
import pytest
from fastapi import FastAPI

from taskservice.app import create_app
from taskservice.config import Settings
from taskservice.resources import resources_of
from tests.conftest import Users, serving_lifespan

ALLOWED = "https://board.example"
PREFLIGHT = {
    "Origin": ALLOWED,
    "Access-Control-Request-Method": "PATCH",
    "Access-Control-Request-Headers": "authorization, content-type, if-match",
}


@pytest.fixture
async def cors_app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings.model_copy(update={"cors_origins": [ALLOWED]}))
    async with serving_lifespan(application):
        yield application


@pytest.fixture
async def cors_client(cors_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=cors_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


class TestCorsOff:
    async def test_preflight_is_not_answered(self, client: httpx.AsyncClient) -> None:
        response = await client.options("/tasks/1", headers=PREFLIGHT)

        assert response.status_code == 405
        assert "access-control-allow-origin" not in response.headers

    async def test_responses_carry_no_cors_headers(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/healthz", headers={"Origin": ALLOWED})

        assert response.status_code == 200
        assert [h for h in response.headers if h.startswith("access-control-")] == []


class TestCorsOn:
    async def test_preflight_from_a_listed_origin(self, cors_client: httpx.AsyncClient) -> None:
        response = await cors_client.options("/tasks/1", headers=PREFLIGHT)

        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert response.headers["access-control-allow-methods"] == ("GET, POST, PUT, PATCH, DELETE")
        allowed_headers = response.headers["access-control-allow-headers"].split(", ")
        assert {"Authorization", "Content-Type", "If-Match"} <= set(allowed_headers)
        assert response.headers["access-control-max-age"] == "600"
        assert "access-control-allow-credentials" not in response.headers

    async def test_preflight_from_another_origin_is_refused(
        self, cors_client: httpx.AsyncClient
    ) -> None:
        response = await cors_client.options(
            "/tasks/1", headers={**PREFLIGHT, "Origin": "https://evil.example"}
        )

        assert response.status_code == 400
        assert "access-control-allow-origin" not in response.headers

    async def test_a_request_from_a_listed_origin_can_read_etag(
        self, cors_app: FastAPI, cors_client: httpx.AsyncClient
    ) -> None:
        users = Users(cors_app, resources_of(cors_app).db_sessions)
        user = await users.create("carol")
        response = await cors_client.post(
            "/tasks", json={"title": "x"}, headers={**user.headers, "Origin": ALLOWED}
        )
        await users.close()

        assert response.status_code == 201
        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert response.headers["access-control-expose-headers"] == (
            "ETag, Location, X-Request-ID, Retry-After, Idempotent-Replayed"
        )

    async def test_errors_are_readable_too(self, cors_client: httpx.AsyncClient) -> None:
        response = await cors_client.get("/tasks", headers={"Origin": ALLOWED})

        assert response.status_code == 401
        assert response.headers["access-control-allow-origin"] == ALLOWED

    async def test_another_origin_gets_no_cors_headers(
        self, cors_client: httpx.AsyncClient
    ) -> None:
        response = await cors_client.get("/healthz", headers={"Origin": "https://evil.example"})

        assert response.status_code == 200
        assert "access-control-allow-origin" not in response.headers


class TestCorsSetting:
    def test_comma_separated_origins(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TASKSERVICE_CORS_ORIGINS", " https://a.example, http://localhost:5173 ")

        assert Settings().cors_origins == ["https://a.example", "http://localhost:5173"]

    def test_off_by_default(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("TASKSERVICE_CORS_ORIGINS", raising=False)

        assert Settings().cors_origins == []

    @pytest.mark.parametrize(
        "value",
        ["https://a.example/", "https://a.example/app", "a.example", "ftp://a.example", "*"],
    )
    def test_what_is_not_an_origin_is_refused(
        self, monkeypatch: pytest.MonkeyPatch, value: str
    ) -> None:
        monkeypatch.setenv("TASKSERVICE_CORS_ORIGINS", value)

        with pytest.raises(pydantic.ValidationError, match="is not an origin"):
            Settings()
