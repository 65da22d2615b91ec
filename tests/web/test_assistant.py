"""The assistant panel in a browser, on the built-in offline model."""

from datetime import UTC, datetime, timedelta

from playwright.async_api import Locator, Page, expect

from taskservice.agent.offline.words import day as spoken_day
from tests.web.browser import WebUser, card, column, screenshot

# Records, in order, the text of every assistant reply as the page changes it.
WATCH_REPLIES = """() => {
  window.replySnapshots = [];
  new MutationObserver((records) => {
    for (const record of records) {
      const target = record.target;
      const node = target.nodeType === Node.TEXT_NODE ? target.parentElement : target;
      const reply = node.closest(".reply");
      if (reply) window.replySnapshots.push(reply.textContent);
    }
  }).observe(document.getElementById("chat-log"), {
    childList: true, subtree: true, characterData: true,
  });
}"""


async def ask(page: Page, message: str) -> None:
    await page.get_by_label("Message").fill(message)
    await page.get_by_label("Message").press("Enter")


def last_answer(page: Page) -> Locator:
    return page.locator("#chat-log .msg.assistant").last


class TestChat:
    async def test_a_chat_creates_a_task_that_appears_on_the_board(
        self, board: Page, user: WebUser
    ) -> None:
        tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
        await board.evaluate(WATCH_REPLIES)

        await ask(board, "add a task to buy milk tomorrow")

        answer = last_answer(board)
        await expect(answer.locator(".reply")).to_contain_text("Created task #")
        created = (await user.api.get("/tasks")).json()["items"]
        assert [(t["title"], t["due_date"]) for t in created] == [("buy milk", tomorrow)]
        said = spoken_day(tomorrow, datetime.now(UTC).date())
        reply = f"Created task #{created[0]['id']} 'buy milk' (to do, medium priority, due {said})."
        await expect(answer.locator(".reply")).to_have_text(reply)
        await expect(answer.locator(".step")).to_have_text(
            [
                "triage handed over to planner",
                f"planner: create_task · title: buy milk, due_date: {tomorrow} ✓",
            ]
        )
        # On the board without a reload.
        await expect(card(column(board, "To do"), "buy milk")).to_be_visible()
        assert await user.titles() == ["buy milk"]
        # The text arrived piece by piece, each shown as it came.
        words = reply.split(" ")
        prefixes = [
            " ".join(words[: n + 1]) + (" " if n + 1 < len(words) else "")
            for n in range(len(words))
        ]
        snapshots = await board.evaluate("window.replySnapshots.filter((text) => text)")
        assert [
            text for i, text in enumerate(snapshots) if i == 0 or text != snapshots[i - 1]
        ] == prefixes
        await expect(board.get_by_label("Message")).to_have_value("")
        await expect(board.get_by_role("log", name="Conversation")).to_have_attribute(
            "aria-busy", "false"
        )
        await screenshot(board, "assistant-created-task")

    async def test_stop_stays_hidden_without_a_run_id(self, board: Page) -> None:
        await ask(board, "list my tasks")

        await expect(last_answer(board).locator(".reply")).not_to_be_empty()
        await expect(board.get_by_role("button", name="Stop")).to_be_hidden()

    async def test_the_board_follows_changes_the_agent_makes(
        self, board: Page, user: WebUser
    ) -> None:
        task = await user.create_task(title="water plants")
        await board.reload()

        await ask(board, f"mark task {task['id']} as done")

        await expect(card(column(board, "Done"), "water plants")).to_be_visible()
        await expect(column(board, "To do").get_by_role("article")).to_have_count(0)


class TestApprovals:
    async def test_one_approved_and_one_rejected(self, board: Page, user: WebUser) -> None:
        doomed = await user.create_task(title="doomed")
        spared = await user.create_task(title="spared")
        await board.reload()

        await ask(board, f"delete task {doomed['id']}")
        approval = board.get_by_role(
            "group", name=f"Approval needed: Delete task #{doomed['id']} 'doomed'?"
        )
        await expect(approval).to_be_visible()
        await expect(approval).to_have_count(1)
        # The call has not run: it is announced only as waiting for approval.
        await expect(last_answer(board).locator(".step.tool")).to_have_count(0)
        await screenshot(board, "assistant-approval")
        await approval.get_by_role("button", name="Approve").click()

        await expect(approval.locator(".outcome")).to_have_text("You approved this.")
        await expect(approval.get_by_role("button")).to_have_count(0)
        await expect(last_answer(board).locator(".reply")).to_have_text(
            f"Deleted task #{doomed['id']} 'doomed'."
        )
        await expect(card(board, "doomed")).to_have_count(0)
        assert await user.titles() == ["spared"]

        await ask(board, f"delete task {spared['id']}")
        second = board.get_by_role(
            "group", name=f"Approval needed: Delete task #{spared['id']} 'spared'?"
        )
        await second.get_by_role("button", name="Reject").click()

        await expect(second.locator(".outcome")).to_have_text("You rejected this.")
        await expect(last_answer(board).locator(".reply")).to_have_text(
            "I couldn't do that: the user did not approve this; nothing was done."
        )
        await expect(card(board, "spared")).to_be_visible()
        assert await user.titles() == ["spared"]

    async def test_a_new_message_while_a_decision_waits_is_explained(
        self, board: Page, user: WebUser
    ) -> None:
        task = await user.create_task(title="pending")
        await board.reload()
        await ask(board, f"delete task {task['id']}")
        await expect(board.get_by_role("button", name="Approve")).to_be_visible()

        await ask(board, "list my tasks")

        await expect(last_answer(board).locator(".error")).to_have_text(
            "This conversation is waiting for your decision above: approve or reject it "
            "first, or start a new conversation."
        )
        await board.get_by_role("button", name="Reject").click()
        await expect(board.get_by_text("You rejected this.")).to_be_visible()
        assert await user.titles() == ["pending"]


class TestConversations:
    async def test_listed_and_resumed(self, board: Page, user: WebUser) -> None:
        await ask(board, "add a task to call the bank")
        await expect(last_answer(board).locator(".reply")).to_contain_text("Created task")
        await board.get_by_role("button", name="New conversation").click()
        await expect(board.get_by_role("log").locator(".msg.user")).to_have_count(0)
        await ask(board, "how many tasks are done?")
        await expect(last_answer(board).locator(".reply")).not_to_be_empty()

        await board.get_by_text("Conversations", exact=True).click()
        listed = board.get_by_role("list", name="Your conversations").get_by_role("button")
        await expect(listed).to_have_count(2)
        await expect(listed.locator(".conversation-title")).to_have_text(
            ["how many tasks are done?", "add a task to call the bank"]
        )
        await listed.nth(1).click()

        log = board.get_by_role("log", name="Conversation")
        await expect(log.locator(".msg.user")).to_have_text(["add a task to call the bank"])
        (bank,) = (await user.api.get("/tasks")).json()["items"]
        await expect(log.locator(".reply")).to_have_text(
            [f"Created task #{bank['id']} 'call the bank' (to do, medium priority)."]
        )
        await expect(log.locator(".step")).to_have_text(
            ["handed over to planner", "create_task · title: call the bank"]
        )
        # The conversation goes on where it was: "it" is the task it talked about.
        await ask(board, "mark it as done")
        await expect(card(column(board, "Done"), "call the bank")).to_be_visible()
        await expect(log.locator(".msg.user")).to_have_count(2)

    async def test_a_waiting_approval_is_decided_after_resuming(
        self, board: Page, user: WebUser
    ) -> None:
        task = await user.create_task(title="from elsewhere")
        asked = await user.api.post("/agent", json={"message": f"delete task {task['id']}"})
        assert len(asked.json()["pending_approvals"]) == 1
        await board.reload()

        await board.get_by_text("Conversations", exact=True).click()
        listed = board.get_by_role("list", name="Your conversations").get_by_role("button")
        await expect(listed).to_have_count(1)
        await expect(listed).to_contain_text("1 waiting for you")
        await listed.click()
        approval = board.get_by_role(
            "group", name=f"Approval needed: Delete task #{task['id']} 'from elsewhere'?"
        )
        await approval.get_by_role("button", name="Approve").click()

        await expect(approval.locator(".outcome")).to_have_text("You approved this.")
        await expect(card(board, "from elsewhere")).to_have_count(0)
        assert await user.titles() == []

    async def test_asking_about_one_task(self, board: Page, user: WebUser) -> None:
        task = await user.create_task(title="renew passport")
        await board.reload()

        await card(board, "renew passport").get_by_role("button", name="Ask").click()

        await expect(board.locator("#focus")).to_contain_text(
            f"About task #{task['id']} “renew passport”"
        )
        await expect(board.get_by_label("Message")).to_be_focused()
        await ask(board, "start it")
        await expect(card(column(board, "In progress"), "renew passport")).to_be_visible()
        session = (await user.api.get("/agent/sessions")).json()[0]
        assert session["focus_task_id"] == task["id"]
