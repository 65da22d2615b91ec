"""HTTP metrics and GET /metrics, in process (the same across workers: test_workers.py)."""

import re

import httpx

from taskservice.app import create_app
from taskservice.config import Settings
from tests.conftest import ApiUser, serving_lifespan
from tests.observability.helpers import Snapshot, label_values, parse_exposition

REQUESTS = "taskservice_http_requests_total"
DURATION_COUNT = "taskservice_http_request_duration_seconds_count"


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return response.text


class TestHttpMetrics:
    async def test_requests_are_counted_by_method_route_template_and_status(
        self, alice: ApiUser
    ) -> None:
        created = await alice.client.post("/tasks", json={"title": "counted"})
        task_id = created.json()["id"]
        before = Snapshot()

        for _ in range(3):
            assert (await alice.client.get(f"/tasks/{task_id}")).status_code == 200
        assert (await alice.client.get("/tasks/999999")).status_code == 404
        assert (await alice.client.get("/tasks")).status_code == 200
        assert (await alice.client.delete(f"/tasks/{task_id}")).status_code == 204

        one = {"method": "GET", "route": "/tasks/{task_id}"}
        assert before.delta(REQUESTS, **one, status="200") == 3
        assert before.delta(REQUESTS, **one, status="404") == 1
        assert before.delta(DURATION_COUNT, **one) == 4
        assert before.delta(REQUESTS, method="GET", route="/tasks", status="200") == 1
        assert before.delta(REQUESTS, method="DELETE", route="/tasks/{task_id}", status="204") == 1

    async def test_no_label_holds_a_raw_path_an_id_or_a_key(
        self, alice: ApiUser, client: httpx.AsyncClient
    ) -> None:
        before = Snapshot()
        await alice.client.get("/tasks/123")
        await alice.client.get("/nope/xyz")
        await alice.client.get("/tasks", params={"q": "secret words"})
        await alice.client.get("/agent/runs/0123456789abcdef")
        await client.get("/static/app/js/main.js")
        await client.request("BREW", "/tasks/123")

        text = await scrape(client)

        assert before.delta(REQUESTS, method="GET", route="<unmatched>", status="404") == 1
        assert before.delta(REQUESTS, method="OTHER", route="/tasks/{task_id}", status="405") == 1
        assert before.delta(REQUESTS, method="GET", route="/static/app/{path}", status="200") == 1
        routes = {v for v in label_values(text) if v.startswith("/") or v.startswith("<")}
        assert routes >= {"/tasks/{task_id}", "/tasks", "/agent/runs/{run_id}", "<unmatched>"}
        values = label_values(text)
        for raw in ("123", "/nope/xyz", "secret", "0123456789abcdef", alice.key, "BREW"):
            assert not any(raw in v for v in values), raw
        # Digits only as status codes (never an id); the user is in no label.
        assert [v for v in values if v.isdigit() and not re.fullmatch(r"[1-5]\d\d", v)] == []
        assert str(alice.id) not in values

    async def test_the_scrape_sees_itself_in_flight(self, client: httpx.AsyncClient) -> None:
        samples = parse_exposition(await scrape(client))

        assert samples[("taskservice_http_requests_in_flight", frozenset())] == 1

    async def test_an_answer_of_the_request_id_middleware_is_counted(self, alice: ApiUser) -> None:
        before = Snapshot()

        response = await alice.client.post(
            "/tasks", content=b"x" * 10, headers={"content-length": str(10**9)}
        )

        assert response.status_code == 413
        assert before.delta(REQUESTS, method="POST", route="<unmatched>", status="413") == 1


class TestSettings:
    async def test_a_metrics_token_is_required_when_set(self, db_url: str) -> None:
        app = create_app(Settings(database_url=db_url, metrics_token="scrape-me"))
        async with serving_lifespan(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                missing = await c.get("/metrics")
                wrong = await c.get("/metrics", headers={"Authorization": "Bearer nope"})
                right = await c.get("/metrics", headers={"Authorization": "Bearer scrape-me"})

        assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
        assert missing.headers["content-type"] == "application/problem+json"
        assert "taskservice_http_requests_total" in right.text

    async def test_metrics_off_serves_no_metrics_and_counts_nothing(self, db_url: str) -> None:
        app = create_app(Settings(database_url=db_url, metrics=False))
        before = Snapshot()
        async with serving_lifespan(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                assert (await c.get("/metrics")).status_code == 404
                assert (await c.get("/healthz")).status_code == 200

        assert before.delta(REQUESTS, method="GET", route="/healthz", status="200") == 0
        assert before.delta(REQUESTS, method="GET", route="<unmatched>", status="404") == 0

    async def test_metrics_is_not_part_of_the_api_document(self, client: httpx.AsyncClient) -> None:
        paths = (await client.get("/openapi.json")).json()["paths"]

        assert "/metrics" not in paths
