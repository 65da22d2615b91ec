"""The history drawer: who changed a task, what and when, from every door."""

import re

from playwright.async_api import Page, expect

from tests.web.browser import WebUser, card, screenshot


class TestHistoryDrawer:
    async def test_shows_api_and_agent_changes_newest_first(
        self, board: Page, user: WebUser
    ) -> None:
        task = await user.create_task(title="report", priority="high", tags=["work"])
        changed = await user.api.patch(
            f"/tasks/{task['id']}", json={"priority": "urgent", "due_date": "2026-12-24"}
        )
        assert changed.status_code == 200
        agent = await user.api.post("/agent", json={"message": f"mark task {task['id']} as done"})
        assert agent.status_code == 200
        events = (await user.api.get(f"/tasks/{task['id']}/history")).json()
        await board.reload()

        await card(board, "report").get_by_role("button", name="History").click()

        drawer = board.get_by_role("dialog", name="History of “report”")
        await expect(drawer).to_be_visible()
        entries = drawer.locator(".history-entry")
        await expect(entries).to_have_count(3)
        await expect(entries.locator(".history-who")).to_have_text(
            [
                re.compile(r"^Assistant \(editor\) changed it · "),
                re.compile(r"^API changed it · "),
                re.compile(r"^API created it · "),
            ]
        )
        times = await entries.locator("time").evaluate_all(
            "(all) => all.map((t) => t.getAttribute('datetime'))"
        )
        assert times == [event["at"] for event in reversed(events)]
        await expect(entries.nth(0).locator(".history-changes li")).to_have_text(
            ["Status: To do → Done", re.compile(r"^Completed: none → [A-Z][a-z]{2} \d")]
        )
        await expect(entries.nth(1).locator(".history-changes li")).to_have_text(
            ["Priority: High → Urgent", "Due date: none → Dec 24, 2026"]
        )
        await expect(entries.nth(2).locator(".history-changes li")).to_have_text(
            ["Title: report", "Status: To do", "Priority: High", "Tags: #work"]
        )
        await screenshot(board, "history-drawer")

        await board.keyboard.press("Escape")
        await expect(drawer).to_be_hidden()
        await expect(card(board, "report").get_by_role("button", name="History")).to_be_focused()

        # An agent's change leads to its conversation.
        await card(board, "report").get_by_role("button", name="History").click()
        await drawer.get_by_role("button", name="Open the conversation").click()
        await expect(drawer).to_be_hidden()
        log = board.get_by_role("log", name="Conversation")
        await expect(log.locator(".msg.user")).to_have_text([f"mark task {task['id']} as done"])
        await expect(log.locator(".reply")).to_have_text(
            [f"Marked task #{task['id']} 'report' as done."]
        )

    async def test_close_button(self, board: Page, user: WebUser) -> None:
        await user.create_task(title="short")
        await board.reload()
        await card(board, "short").get_by_role("button", name="History").click()
        drawer = board.get_by_role("dialog", name="History of “short”")
        await expect(drawer.locator(".history-entry")).to_have_count(1)

        await drawer.get_by_role("button", name="Close history").click()

        await expect(drawer).to_be_hidden()
