"""A finished run's trace under its answer, in a browser, on the built-in offline model."""

import re

from playwright.async_api import Page, expect

from tests.web.browser import WebUser, screenshot
from tests.web.test_assistant import ask, last_answer


class TestTrace:
    async def test_the_trace_of_a_handoff_tool_reply_round(
        self, board: Page, user: WebUser
    ) -> None:
        await ask(board, "add a task to buy milk")
        answer = last_answer(board)
        await expect(answer.locator(".reply")).to_contain_text("Created task #")

        trace = answer.locator("details.trace")
        await expect(trace).to_have_count(1)
        await expect(trace.locator(".span")).to_have_count(0)  # loaded when opened
        await trace.locator("summary", has_text="Trace").click()

        lines = trace.locator(".span-what")
        await expect(lines).to_have_text(
            [
                "run",
                "agent triage",
                "guardrail task_guardrail",
                "turn 1",
                "model offline",
                "handoff triage → planner",
                "agent planner",
                "turn 2",
                "model offline",
                "tool create_task · title: buy milk",
                "turn 3",
                "model offline",
            ]
        )
        # Nested as the spans are: the tool call inside the planner's second turn.
        call = trace.locator(".span-function")
        turn = trace.locator("li.span-turn", has=board.locator(".span-function"))
        await expect(turn.locator(":scope > .span-line .span-what")).to_have_text("turn 2")
        planner = trace.locator("li.span-agent", has=board.locator(".span-function"))
        await expect(planner.locator(":scope > .span-line .span-what")).to_have_text(
            "agent planner"
        )
        await expect(call.locator(".span-time")).to_have_text([re.compile(r"^\d+(\.\d)? ms$")])
        await expect(trace.locator(".span-bar")).to_have_count(12)
        await screenshot(board, "assistant-trace")

    async def test_a_run_paused_for_approval_shows_each_round(
        self, board: Page, user: WebUser
    ) -> None:
        task = await user.create_task(title="doomed")
        await board.reload()
        await ask(board, f"delete task {task['id']}")
        await board.get_by_role("button", name="Approve").click()
        resumed = last_answer(board)
        await expect(resumed.locator(".reply")).to_have_text(
            f"Deleted task #{task['id']} 'doomed'."
        )

        trace = resumed.locator("details.trace")
        await trace.locator("summary").click()

        await expect(trace.locator(".trace-round h4")).to_have_text(
            [re.compile(r"^Round 1 · "), re.compile(r"^Round 2 · ")]
        )
        await expect(trace.locator(".span-function .span-what")).to_have_text(
            [
                f"tool delete_task · task_id: {task['id']} · waits for approval",
                f"tool delete_task · task_id: {task['id']}",
            ]
        )
