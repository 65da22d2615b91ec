"""The Stop button against a real server whose model takes its time: the run stops, the
task its tool call made stays on the board, and the conversation says what happened."""

import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.process import serving
from tests.provider.fixture import FakeProvider
from tests.provider.script import Step
from tests.web.browser import PageWatch, WebServer, card, create_user, new_context, sign_in

pytestmark = pytest.mark.slow

CREATE = {"title": "from the model", "description": None, "priority": None}
SLOW_ROUND: list[Step] = [
    {"tool_calls": [{"name": "transfer_to_planner"}]},
    {
        "tool_calls": [
            {"name": "create_task", "arguments": {**CREATE, "due_date": None, "tags": None}}
        ]
    },
    {"text": "done", "delay_s": 60},
]


@pytest.fixture(scope="module")
def slow_model_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[WebServer, FakeProvider]]:
    folder = tmp_path_factory.mktemp("web-slow")
    db_url = f"sqlite+aiosqlite:///{folder / 'web.db'}"
    with FakeProvider() as provider:
        env = {
            "OPENAI_API_KEY": "dummy",
            "OPENAI_BASE_URL": provider.base_url,
            "TASKSERVICE_AGENT_MODEL": "gpt-test",
            "TASKSERVICE_AGENT_GUARDRAIL": "off",  # each scripted step is an agent's turn
            "TASKSERVICE_OPENAI_MAX_RETRIES": "0",
            "TASKSERVICE_AUTH_CACHE_TTL_S": "0",
        }
        with serving(db_url, env=env, log=folder / "serve.log") as (base_url, _):
            yield WebServer(base_url, db_url), provider


class TestStop:
    async def test_stop_cancels_the_run_and_keeps_what_it_did(
        self, browser: Browser, slow_model_server: tuple[WebServer, FakeProvider]
    ) -> None:
        server, provider = slow_model_server
        provider.script(SLOW_ROUND)
        key = await create_user(server, f"user-{uuid.uuid4().hex[:12]}")
        watch = PageWatch()
        context = await new_context(browser, server, watch, viewport={"width": 1400, "height": 900})
        page = await context.new_page()
        await sign_in(page, key)

        await page.get_by_label("Message").fill("add a task")
        await page.get_by_label("Message").press("Enter")
        # The tool call ran (the board reloads on its output); the model now thinks.
        await expect(card(page, "from the model")).to_be_visible()
        stop = page.get_by_role("button", name="Stop")
        await expect(stop).to_be_enabled()
        async with page.expect_response("**/agent/runs/*/cancel") as cancelled:
            await stop.click()

        run = await (await cancelled.value).json()
        assert (run["status"], run["outcome"]) == ("cancelled", "cancelled")
        assert [(c["name"], c["ok"]) for c in run["tool_calls"]] == [("create_task", True)]
        await expect(page.locator(".msg.assistant .error").last).to_have_text(
            "The run was cancelled at your request."
        )
        await expect(stop).to_be_hidden()
        await expect(page.get_by_role("button", name="Send")).to_be_enabled()
        await expect(card(page, "from the model")).to_be_visible()
        async with httpx.AsyncClient(
            base_url=server.base_url, headers={"Authorization": f"Bearer {key}"}
        ) as api:
            session = (await api.get(f"/agent/sessions/{run['session_id']}")).json()
        assert session["messages"][-1]["content"] == (
            "(This request was cancelled before it finished. Done before it stopped: "
            "created task #1 'from the model'.)"
        )
        await context.close()
        assert (watch.foreign_requests, watch.page_errors) == ([], [])
