"""The model guardrail as it comes (on), in a real ``taskservice serve``: it judges each
new message first; a relevant one proceeds, an off-topic one ends with no tool call."""

import json

import httpx
import pytest

from taskservice.agent.guardrails import OFF_TOPIC_REPLY
from taskservice.agent.guardrails.relevance import INSTRUCTIONS
from tests.provider.fixture import FakeProvider
from tests.provider.script import Step
from tests.realmodel.harness import MODEL, create_steps, instructions

pytestmark = pytest.mark.slow

ARGS = {"title": "Call mom", "description": None, "priority": None, "due_date": None, "tags": None}


def verdict(about_tasks: bool) -> Step:
    answer = {"is_about_tasks": about_tasks, "is_override_attempt": False, "reasoning": "."}
    return {"text": json.dumps(answer)}


class TestGuardrailAsItComes:
    def test_a_relevant_request_proceeds(
        self, fake: FakeProvider, guarded_user: httpx.Client
    ) -> None:
        fake.script([verdict(True), *create_steps(ARGS, "Added.")])

        response = guarded_user.post("/agent", json={"message": "I need to call mom"})

        assert response.status_code == 200, response.text
        assert response.json()["reply"] == "Added."
        assert [t["title"] for t in guarded_user.get("/tasks").json()["items"]] == ["Call mom"]
        requests = fake.requests()
        assert [r["body"]["model"] for r in requests] == [MODEL] * 4
        assert instructions(requests[0]) == [INSTRUCTIONS]

    def test_an_off_topic_request_makes_no_tool_call(
        self, fake: FakeProvider, guarded_user: httpx.Client
    ) -> None:
        fake.script([verdict(False), *create_steps(ARGS)])

        response = guarded_user.post("/agent", json={"message": "write me a poem"})

        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["reply"], body["tool_calls"]) == (OFF_TOPIC_REPLY, [])
        assert len(fake.requests()) == 1
        assert guarded_user.get("/tasks").json()["total"] == 0
        run = guarded_user.get(f"/agent/runs/{body['run_id']}").json()
        assert (run["outcome"], run["tool_calls"]) == ("guardrail", [])
