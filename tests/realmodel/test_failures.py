"""A provider that fails, sends garbage or is too slow: retried as the client allows, then
a problem response (502, 504) or a stream ``error`` event; the service stays healthy."""

from typing import Any

import httpx
import pytest

from tests.provider.fixture import FakeProvider
from tests.provider.script import Step
from tests.realmodel.harness import (
    FAILING_TIMEOUT_S,
    FAST_RETRY,
    MAX_RETRIES,
    parse_sse,
    transcript,
)

pytestmark = pytest.mark.slow

PROBLEM = "urn:taskservice:problem:"
PROVIDER_FAILED = "The model provider failed or sent an invalid answer."
MESSAGE = "list my tasks"


def answered(status: int) -> str:
    return f"The model provider answered {status}; try again later."


def failing_steps(status: int) -> list[Step]:
    """The provider answers ``status`` to the first call and to every retry of it."""
    error: Step = {
        "error": {"status": status, "message": f"scripted {status}", "headers": FAST_RETRY},
        "times": 1 + MAX_RETRIES,
    }
    return [error]


def assert_problem(response: httpx.Response, status: int, slug: str, detail: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body == {
        "type": PROBLEM + slug,
        "title": {502: "Bad Gateway", 504: "Gateway Timeout"}[status],
        "status": status,
        "detail": detail,
        "instance": "/agent",
        "request_id": response.headers["x-request-id"],
        "run_id": body["run_id"],
        "session_id": body["session_id"],
    }


def assert_still_serving(
    user: httpx.Client,
    fake: FakeProvider,
    earlier: list[tuple[str, str]] | None = None,
    **extra: Any,
) -> None:
    """Health is fine and the next run, on a working provider, answers normally, having
    sent the model ``earlier`` (the session's history) before the new message."""
    assert user.get("/healthz").status_code == 200
    fake.reset()
    fake.script([{"text": "Still here: {last_user_message}"}])
    response = user.post("/agent", json={"message": MESSAGE, **extra})
    assert response.status_code == 200
    assert (response.json()["reply"], response.json()["agent"]) == (
        f"Still here: {MESSAGE}",
        "triage",
    )
    [request] = fake.requests()
    assert transcript(request) == [*(earlier or []), ("user", MESSAGE)]


class TestProviderFailures:
    @pytest.mark.parametrize("status", [429, 500])
    def test_error_is_retried_then_bad_gateway(
        self, fake: FakeProvider, failing_user: httpx.Client, status: int
    ) -> None:
        fake.script(failing_steps(status))

        response = failing_user.post("/agent", json={"message": MESSAGE})

        assert_problem(response, 502, "model-provider-error", answered(status))
        requests = fake.requests()
        assert len(requests) == 1 + MAX_RETRIES
        assert [r["headers"]["x-stainless-retry-count"] for r in requests] == ["0", "1", "2"]
        assert all(r["body"] == requests[0]["body"] for r in requests)
        assert_still_serving(failing_user, fake)

    def test_malformed_answer_is_bad_gateway_without_retry(
        self, fake: FakeProvider, failing_user: httpx.Client
    ) -> None:
        fake.script([{"malformed": True}])

        response = failing_user.post("/agent", json={"message": MESSAGE})

        assert_problem(response, 502, "model-provider-error", PROVIDER_FAILED)
        assert len(fake.requests()) == 1
        assert_still_serving(failing_user, fake)

    def test_slow_provider_is_gateway_timeout(
        self, fake: FakeProvider, failing_user: httpx.Client
    ) -> None:
        fake.script([{"text": "too late", "delay_s": 3 * FAILING_TIMEOUT_S}])

        response = failing_user.post("/agent", json={"message": MESSAGE})

        assert_problem(
            response,
            504,
            "agent-timeout",
            f"The agent did not finish within {FAILING_TIMEOUT_S} s.",
        )
        # The run's deadline ends it before the client's own timeout could retry.
        assert len(fake.requests()) == 1
        assert_still_serving(failing_user, fake)

    @pytest.mark.parametrize(
        ("steps", "detail"),
        [
            (failing_steps(429), answered(429)),
            ([{"malformed": True}], PROVIDER_FAILED),
        ],
        ids=["429", "malformed"],
    )
    def test_streamed_failure_is_an_error_event_and_the_history_notes_it(
        self,
        fake: FakeProvider,
        failing_user: httpx.Client,
        steps: list[Step],
        detail: str,
    ) -> None:
        fake.script(steps)

        with failing_user.stream("POST", "/agent/stream", json={"message": MESSAGE}) as response:
            assert response.status_code == 200
            events = parse_sse(response.read().decode())

        session_id = events[-1][1]["session_id"]
        run_id = events[0][1]["run_id"]
        assert events == [
            ("run_started", {"run_id": run_id, "session_id": session_id}),
            ("agent_updated", {"agent": "triage", "run_id": run_id}),
            (
                "error",
                {
                    "type": PROBLEM + "model-provider-error",
                    "title": "Bad Gateway",
                    "status": 502,
                    "detail": detail,
                    "instance": "/agent/stream",
                    "request_id": response.headers["x-request-id"],
                    "session_id": session_id,
                    "run_id": run_id,
                },
            ),
        ]
        attempts = 1 if "malformed" in steps[0] else 1 + MAX_RETRIES
        assert len(fake.requests()) == attempts
        # The failed run left its request and a note of how it ended in the history, and
        # the model sees them on the session's next run.
        note = "(This request stopped because the model provider failed. Nothing was changed.)"
        earlier = [("user", MESSAGE), ("assistant", note)]
        assert_still_serving(failing_user, fake, earlier, session_id=session_id)
