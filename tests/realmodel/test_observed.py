"""A real provider's round, seen from outside: its trace holds the SDK's own model-call
spans with the provider's token counts, and /metrics counts the same calls and tokens."""

import json
from typing import Any

import httpx
import pytest

from tests.observability.helpers import Key, parse_exposition
from tests.provider.fixture import FakeProvider
from tests.provider.script import count_tokens
from tests.realmodel.harness import MODEL, RealService, create_steps

pytestmark = pytest.mark.slow

ARGS = {"title": "Observed", "description": None, "priority": None, "due_date": None, "tags": None}
# The model-call span each API's model makes itself.
SPAN_KIND = {"responses": "response", "chat_completions": "generation"}


def series(name: str, **labels: str) -> Key:
    return name, frozenset(labels.items())


def input_tokens(api: str, body: dict[str, Any]) -> int:
    """What the fake provider reports as a request's input tokens."""
    if api == "responses":
        return count_tokens(json.dumps([body.get("instructions"), body.get("input")]))
    return count_tokens(json.dumps(body.get("messages")))


def walk(span: dict[str, Any]) -> list[dict[str, Any]]:
    return [span, *(s for child in span["children"] for s in walk(child))]


@pytest.mark.parametrize("stream", [False, True], ids=["reply", "stream"])
def test_trace_and_metrics_of_a_round(
    service: RealService, fake: FakeProvider, user: httpx.Client, stream: bool
) -> None:
    before = parse_exposition(httpx.get(f"{service.base_url}/metrics").text)
    fake.script(create_steps(ARGS, reply="Done."))

    if stream:
        with user.stream("POST", "/agent/stream", json={"message": "add: observed"}) as answer:
            text = answer.read().decode()
        run_id = json.loads(text.rsplit("data: ", 1)[1])["run_id"]
    else:
        run_id = user.post("/agent", json={"message": "add: observed"}).json()["run_id"]
    trace = user.get(f"/agent/runs/{run_id}/trace").json()
    after = parse_exposition(httpx.get(f"{service.base_url}/metrics").text)

    (round_,) = trace["rounds"]
    spans = walk(round_["spans"][0])
    calls = [s for s in spans if s["kind"] == SPAN_KIND[service.api]]
    requests = fake.requests()
    assert [s["data"]["model"] for s in calls] == [MODEL] * 3
    assert [s["data"]["input_tokens"] for s in calls] == [
        input_tokens(service.api, r["body"]) for r in requests
    ]
    other_kind = set(SPAN_KIND.values()) - {SPAN_KIND[service.api]}
    assert [s for s in spans if s["kind"] in other_kind] == []
    (tool,) = [s for s in spans if s["kind"] == "function"]
    assert (tool["name"], tool["data"]["outcome"]) == ("create_task", "ok")

    def delta(key: Key) -> float:
        return after.get(key, 0.0) - before.get(key, 0.0)

    tokens = "taskservice_agent_tokens_total"
    assert delta(series(tokens, model=MODEL, direction="input")) == sum(
        s["data"]["input_tokens"] for s in calls
    )
    assert delta(series(tokens, model=MODEL, direction="output")) == sum(
        s["data"]["output_tokens"] for s in calls
    )
    model_calls = "taskservice_agent_model_calls_total"
    assert delta(series(model_calls, model=MODEL, outcome="ok")) == 3
    assert delta(series("taskservice_agent_runs_total", outcome="completed")) == 1
