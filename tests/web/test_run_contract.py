"""The assistant against the run contract, event by event: `run_id` on events, a first
`run_started` event, a human `description` on approvals, and
POST /agent/runs/{run_id}/cancel behind the Stop button.

The stream here comes from a stand-in for fetch that the test feeds one event at a time,
to check the page at each step; everything else is the real page. The real server's
Stop is tested in test_stop.py.
"""

import json
from typing import Any

from playwright.async_api import Page, Request, Route, expect

from tests.web.browser import WebUser

FAKE_STREAM = """() => {
  const realFetch = window.fetch.bind(window);
  window.fetch = (input, init = {}) => {
    const url = typeof input === "string" ? input : input.url;
    if (!url.endsWith("/agent/stream")) return realFetch(input, init);
    window.streamRequest = { body: init.body, headers: init.headers };
    const encoder = new TextEncoder();
    const body = new ReadableStream({
      start(controller) {
        window.sse = {
          send: (event, data) => {
            const frame = `event: ${event}\\ndata: ${JSON.stringify(data)}\\n\\n`;
            controller.enqueue(encoder.encode(frame));
          },
          end: () => controller.close(),
        };
      },
    });
    return Promise.resolve(
      new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } }),
    );
  };
}"""


async def send(page: Page, event: str, data: dict[str, Any]) -> None:
    await page.evaluate("([event, data]) => window.sse.send(event, data)", [event, data])


class TestRunContract:
    async def test_stop_cancels_the_named_run(self, board: Page, user: WebUser) -> None:
        cancels: list[Request] = []

        async def cancelled(route: Route) -> None:
            cancels.append(route.request)
            await route.fulfill(json={"run_id": "run_7", "status": "cancelling"})

        await board.route("**/agent/runs/*/cancel*", cancelled)
        await board.evaluate(FAKE_STREAM)
        stop = board.get_by_role("button", name="Stop")

        await board.get_by_label("Message").fill("list my tasks")
        await board.get_by_label("Message").press("Enter")
        await expect(board.get_by_role("button", name="Send")).to_be_disabled()
        await send(board, "agent_updated", {"agent": "triage"})
        await expect(board.locator(".working")).to_have_text("triage is working…")
        await expect(stop).to_be_hidden()  # no run id yet

        await send(board, "run_started", {"run_id": "run_7", "session_id": "s_1"})
        await expect(stop).to_be_visible()
        await expect(stop).to_be_enabled()
        await stop.click()

        await expect(stop).to_be_disabled()
        assert len(cancels) == 1
        assert cancels[0].method == "POST"
        assert cancels[0].url == f"{user.server.base_url}/agent/runs/run_7/cancel"
        assert cancels[0].headers["authorization"] == f"Bearer {user.key}"

        await send(board, "done", reply("s_1", "run_7", "Stopped as you asked."))
        await board.evaluate("window.sse.end()")
        await expect(board.locator(".msg.assistant .reply").last).to_have_text(
            "Stopped as you asked."
        )
        await expect(stop).to_be_hidden()
        await expect(board.get_by_role("button", name="Send")).to_be_enabled()
        sent = await board.evaluate("window.streamRequest.body")
        assert json.loads(sent) == {"message": "list my tasks"}

    async def test_approval_shows_its_description_and_the_session_continues(
        self, board: Page
    ) -> None:
        await board.evaluate(FAKE_STREAM)
        await board.get_by_label("Message").fill("delete 'buy milk'")
        await board.get_by_label("Message").press("Enter")
        await expect(board.get_by_role("button", name="Send")).to_be_disabled()

        await send(board, "run_started", {"run_id": "run_8", "session_id": "s_2"})
        pending = {
            "id": "call_1",
            "tool": "delete_task",
            "agent": "editor",
            "arguments": {"task_id": 8},
            "description": "Delete task #8 'buy milk'?",
            "run_id": "run_8",
        }
        await send(board, "approval_required", pending)
        await send(
            board, "done", reply("s_2", "run_8", "This needs your approval first.", [pending])
        )
        await board.evaluate("window.sse.end()")

        approvals = board.get_by_role("group", name="Approval needed: Delete task #8 'buy milk'?")
        await expect(approvals).to_have_count(1)
        await expect(board.get_by_role("button", name="Stop")).to_be_hidden()

        # The next message continues the session the stream named.
        await board.evaluate(FAKE_STREAM)
        await board.get_by_label("Message").fill("thanks")
        await board.get_by_label("Message").press("Enter")
        await expect(board.get_by_role("button", name="Send")).to_be_disabled()
        sent = await board.evaluate("window.streamRequest.body")
        assert json.loads(sent) == {"message": "thanks", "session_id": "s_2"}
        await board.evaluate("window.sse.end()")
        await expect(board.locator(".msg.assistant .error").last).to_have_text(
            "The reply was cut off before it finished."
        )


def reply(
    session_id: str, run_id: str, text: str, pending: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "run_id": run_id,
        "reply": text,
        "agent": "triage",
        "handoffs": [],
        "tool_calls": [],
        "pending_approvals": pending or [],
    }
