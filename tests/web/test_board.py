"""The board in a browser: create, edit, move, filter, delete, load more, conflicts."""

import re
from datetime import UTC, datetime, timedelta

from playwright.async_api import Page, expect

from tests.web.browser import WebUser, card, column, screenshot


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def days_from_today(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


async def task_named(user: WebUser, title: str) -> dict[str, object]:
    items = (await user.api.get("/tasks", params={"q": title, "limit": 100})).json()["items"]
    matches = [task for task in items if task["title"] == title]
    assert len(matches) == 1, matches
    task: dict[str, object] = matches[0]
    return task


class TestCreate:
    async def test_a_title_is_enough(self, board: Page, user: WebUser) -> None:
        await board.get_by_label("New task").fill("buy milk")
        await board.get_by_label("New task").press("Enter")

        new = card(column(board, "To do"), "buy milk")
        await expect(new).to_be_visible()
        await expect(new).to_contain_text("Medium priority")
        await expect(board.get_by_label("New task")).to_have_value("")
        await expect(board.get_by_label("New task")).to_be_focused()
        await expect(board.get_by_role("status")).to_have_text("Created “buy milk”.")
        task = await task_named(user, "buy milk")
        assert (task["status"], task["priority"], task["tags"]) == ("todo", "medium", [])

    async def test_with_every_optional_field(self, board: Page, user: WebUser) -> None:
        due = days_from_today(3)
        await board.get_by_label("New task").fill("write report")
        await board.get_by_text("More fields").click()
        await board.get_by_label("Description").fill("numbers from finance first")
        await board.get_by_label("Status", exact=True).select_option("in_progress")
        await board.get_by_label("Priority", exact=True).first.select_option("high")
        await board.get_by_label("Due date").fill(due)
        await board.get_by_label("Tags").fill("Work, #q4")
        await board.get_by_role("button", name="Add").click()

        new = card(column(board, "In progress"), "write report")
        await expect(new).to_contain_text("High priority")
        await expect(new).to_contain_text("numbers from finance first")
        await expect(new.get_by_role("button", name="Filter by tag work")).to_have_text("#work")
        await expect(new.get_by_role("button", name="Filter by tag q4")).to_have_text("#q4")
        await expect(new.locator("time")).to_have_attribute("datetime", due)
        task = await task_named(user, "write report")
        assert {k: task[k] for k in ("description", "status", "priority", "due_date", "tags")} == {
            "description": "numbers from finance first",
            "status": "in_progress",
            "priority": "high",
            "due_date": due,
            "tags": ["work", "q4"],
        }

    async def test_a_blank_title_is_explained(self, board: Page, user: WebUser) -> None:
        await board.get_by_label("New task").fill("   ")
        await board.get_by_role("button", name="Add").click()

        await expect(board.locator("#new-task-error")).to_have_text(
            "Title: Value error, title must not be blank"
        )
        assert await user.titles() == []


class TestCards:
    async def test_overdue_cards_are_marked(self, board: Page, user: WebUser) -> None:
        await user.create_task(title="late", due_date=days_from_today(-2), priority="urgent")
        await user.create_task(title="on time", due_date=days_from_today(2))
        await user.create_task(title="late but done", due_date=days_from_today(-2), status="done")
        await board.reload()

        await expect(card(board, "late").locator(".due")).to_contain_text("Overdue:")
        await expect(card(board, "late")).to_contain_text("Urgent priority")
        await expect(card(board, "on time").locator(".due")).not_to_contain_text("Overdue")
        await expect(card(board, "late but done").locator(".due")).not_to_contain_text("Overdue")
        await expect(card(board, "late")).to_have_class(re.compile(r"\bis-overdue\b"))

    async def test_load_more_follows_the_cursor(self, board: Page, user: WebUser) -> None:
        for number in range(25):
            await user.create_task(title=f"task {number:02d}", priority="low")
        await board.reload()
        todo = column(board, "To do")

        await expect(todo.locator(".count")).to_have_text("20 of 25 tasks")
        await expect(todo.get_by_role("article")).to_have_count(20)
        await todo.get_by_role("button", name="Load more in To do").click()

        await expect(todo.get_by_role("article")).to_have_count(25)
        await expect(todo.locator(".count")).to_have_text("25 tasks")
        await expect(todo.get_by_role("button", name="Load more in To do")).to_be_hidden()
        titles = await todo.locator(".card-title").all_inner_texts()
        assert sorted(titles) == [f"task {n:02d}" for n in range(25)]


class TestEdit:
    async def test_every_field_inline(self, board: Page, user: WebUser) -> None:
        await user.create_task(title="draft", description="old text", tags=["a"])
        await board.reload()
        await card(board, "draft").get_by_role("button", name="Edit").click()
        editor = board.get_by_role("form", name="Edit “draft”")
        await expect(editor.get_by_label("Title")).to_be_focused()

        due = days_from_today(5)
        await editor.get_by_label("Title").fill("final")
        await editor.get_by_label("Description").fill("new text\nsecond line")
        await editor.get_by_label("Status").select_option("blocked")
        await editor.get_by_label("Priority").select_option("urgent")
        await editor.get_by_label("Due date").fill(due)
        await editor.get_by_label("Tags").fill("b c")
        await screenshot(board, "board-editing")
        await editor.get_by_role("button", name="Save").click()

        edited = card(column(board, "Blocked"), "final")
        await expect(edited).to_contain_text("Urgent priority")
        await expect(board.get_by_role("status")).to_have_text("Saved “final”.")
        await expect(column(board, "To do").get_by_role("article")).to_have_count(0)
        await expect(edited.get_by_role("button", name="Edit")).to_be_focused()
        task = await task_named(user, "final")
        assert {k: task[k] for k in ("description", "status", "priority", "due_date", "tags")} == {
            "description": "new text\nsecond line",
            "status": "blocked",
            "priority": "urgent",
            "due_date": due,
            "tags": ["b", "c"],
        }
        assert task["version"] == 2

    async def test_clearing_optional_fields(self, board: Page, user: WebUser) -> None:
        await user.create_task(title="dated", description="x", due_date=today(), tags=["t"])
        await board.reload()
        await card(board, "dated").get_by_role("button", name="Edit").click()
        editor = board.get_by_role("form", name="Edit “dated”")
        await editor.get_by_label("Description").fill("")
        await editor.get_by_label("Due date").fill("")
        await editor.get_by_label("Tags").fill("")
        await editor.get_by_role("button", name="Save").click()

        await expect(board.get_by_role("status")).to_have_text("Saved “dated”.")
        task = await task_named(user, "dated")
        assert (task["description"], task["due_date"], task["tags"]) == (None, None, [])

    async def test_escape_cancels_and_nothing_is_sent(self, board: Page, user: WebUser) -> None:
        await user.create_task(title="keep me")
        await board.reload()
        await card(board, "keep me").get_by_role("button", name="Edit").click()
        editor = board.get_by_role("form", name="Edit “keep me”")
        await editor.get_by_label("Title").fill("changed my mind")
        await editor.get_by_label("Title").press("Escape")

        await expect(card(board, "keep me")).to_be_visible()
        await expect(card(board, "keep me").get_by_role("button", name="Edit")).to_be_focused()
        assert (await task_named(user, "keep me"))["version"] == 1

    async def test_a_validation_error_is_shown_by_its_field(
        self, board: Page, user: WebUser
    ) -> None:
        await user.create_task(title="tagged")
        await board.reload()
        await card(board, "tagged").get_by_role("button", name="Edit").click()
        editor = board.get_by_role("form", name="Edit “tagged”")
        await editor.get_by_label("Tags").fill("x" * 41)
        await editor.get_by_role("button", name="Save").click()

        await expect(editor.locator(".form-error")).to_have_text(
            "Please correct the marked fields."
        )
        await expect(editor.locator("[id$='-tags-error']")).to_contain_text("40")
        assert (await task_named(user, "tagged"))["version"] == 1


class TestMove:
    async def test_by_drag_and_drop(self, board: Page, user: WebUser) -> None:
        await user.create_task(title="drag me")
        await board.reload()

        await card(board, "drag me").drag_to(column(board, "Done"))

        await expect(card(column(board, "Done"), "drag me")).to_be_visible()
        await expect(board.get_by_role("status")).to_have_text("Moved “drag me” to Done.")
        assert await user.titles(status="done") == ["drag me"]

    async def test_by_the_menu(self, board: Page, user: WebUser) -> None:
        await user.create_task(title="menu me")
        await board.reload()

        await card(board, "menu me").get_by_role("button", name="Move").click()
        menu = board.get_by_role("menu", name="Move “menu me”")
        await expect(menu.get_by_role("menuitem")).to_have_text(
            ["To In progress", "To Blocked", "To Done"]
        )
        await menu.get_by_role("menuitem", name="To Blocked").click()

        await expect(card(column(board, "Blocked"), "menu me")).to_be_visible()
        assert await user.titles(status="blocked") == ["menu me"]

    async def test_by_keyboard_alone(self, board: Page, user: WebUser) -> None:
        await user.create_task(title="keys")
        await board.reload()
        moved = card(board, "keys")

        await moved.focus()
        await board.keyboard.press("Shift+ArrowRight")
        await expect(card(column(board, "In progress"), "keys")).to_be_focused()
        await board.keyboard.press("Shift+ArrowRight")
        await expect(card(column(board, "Blocked"), "keys")).to_be_focused()
        assert await user.titles(status="blocked") == ["keys"]

        # The menu, by keyboard: open with Enter, arrows, Enter.
        await board.keyboard.press("Tab")  # Edit
        await board.keyboard.press("Tab")  # Move
        await expect(card(board, "keys").get_by_role("button", name="Move")).to_be_focused()
        await board.keyboard.press("Enter")
        await expect(board.get_by_role("menuitem", name="To To do")).to_be_focused()
        await board.keyboard.press("ArrowDown")
        await board.keyboard.press("ArrowDown")
        await expect(board.get_by_role("menuitem", name="To Done")).to_be_focused()
        await board.keyboard.press("Enter")

        await expect(card(column(board, "Done"), "keys")).to_be_visible()
        assert await user.titles(status="done") == ["keys"]


class TestFilter:
    async def test_by_priority_tag_text_and_overdue(self, board: Page, user: WebUser) -> None:
        await user.create_task(title="pay rent", priority="high", tags=["home"])
        await user.create_task(title="file taxes", priority="high", due_date=days_from_today(-1))
        await user.create_task(title="call mum", priority="low", tags=["home"])
        await user.create_task(title="rent a car", priority="low", status="done")
        await board.reload()
        all_titles = ["call mum", "file taxes", "pay rent", "rent a car"]

        async def shown() -> list[str]:
            return sorted(await board.locator(".card-title").all_inner_texts())

        await expect(board.locator(".card-title")).to_have_count(4)
        assert await shown() == all_titles

        await board.get_by_label("Priority", exact=True).nth(1).select_option("high")
        await expect(board.locator(".card-title")).to_have_count(2)
        assert await shown() == ["file taxes", "pay rent"]

        await board.get_by_label("Tag", exact=True).fill("home")
        await expect(board.locator(".card-title")).to_have_count(1)
        assert await shown() == ["pay rent"]

        await board.get_by_role("button", name="Clear filters").click()
        await expect(board.locator(".card-title")).to_have_count(4)

        await board.get_by_label("Search").fill("RENT")
        await expect(board.locator(".card-title")).to_have_count(2)
        assert await shown() == ["pay rent", "rent a car"]
        await board.get_by_label("Search").fill("")

        await board.get_by_label("Overdue only").check()
        # Columns reload one by one: wait for the text, not only the count (for a moment
        # the emptied Done column beside a not yet reloaded To do column also shows one).
        await expect(board.locator(".card-title")).to_have_text(["file taxes"])
        await board.get_by_label("Overdue only").uncheck()

        # A tag on a card filters by it.
        await card(board, "call mum").get_by_role("button", name="Filter by tag home").click()
        await expect(board.get_by_label("Tag", exact=True)).to_have_value("home")
        await expect(board.locator(".card-title")).to_have_count(2)
        assert await shown() == ["call mum", "pay rent"]


class TestDelete:
    async def test_asks_first(self, board: Page, user: WebUser) -> None:
        await user.create_task(title="old")
        await board.reload()

        await card(board, "old").get_by_role("button", name="Delete").click()
        dialog = board.get_by_role("dialog", name="Delete task?")
        await expect(dialog).to_contain_text("“old” will be deleted. This cannot be undone.")
        await expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
        await screenshot(board, "board-delete-confirmation")
        await dialog.get_by_role("button", name="Cancel").click()
        await expect(dialog).to_be_hidden()
        assert await user.titles() == ["old"]

        await card(board, "old").get_by_role("button", name="Delete").click()
        await board.keyboard.press("Escape")
        await expect(dialog).to_be_hidden()
        assert await user.titles() == ["old"]

        await card(board, "old").get_by_role("button", name="Delete").click()
        await dialog.get_by_role("button", name="Delete").click()

        await expect(card(board, "old")).to_have_count(0)
        await expect(board.get_by_role("status")).to_have_text("Deleted “old”.")
        assert await user.titles() == []


class TestConflict:
    async def test_a_412_reloads_the_card_and_says_so(self, board: Page, user: WebUser) -> None:
        task = await user.create_task(title="shared")
        await board.reload()
        await expect(card(board, "shared")).to_be_visible()
        # Someone else changes it after this page loaded it.
        response = await user.api.patch(
            f"/tasks/{task['id']}", json={"title": "theirs", "status": "in_progress"}
        )
        assert response.status_code == 200

        await card(board, "shared").get_by_role("button", name="Edit").click()
        editor = board.get_by_role("form", name="Edit “shared”")
        await editor.get_by_label("Title").fill("mine")
        await editor.get_by_role("button", name="Save").click()

        await expect(board.get_by_role("alert").filter(has_text="Someone")).to_have_text(
            "Someone else changed “theirs” since you loaded it. The card now shows the "
            "latest version; your change was not saved."
        )
        await expect(card(column(board, "In progress"), "theirs")).to_be_visible()
        await expect(card(board, "shared")).to_have_count(0)
        await screenshot(board, "board-conflict")
        current = (await user.api.get(f"/tasks/{task['id']}")).json()
        assert (current["title"], current["version"]) == ("theirs", 2)

    async def test_moving_a_stale_card_is_refused_too(self, board: Page, user: WebUser) -> None:
        task = await user.create_task(title="stale")
        await board.reload()
        await expect(card(board, "stale")).to_contain_text("Medium priority")  # loaded
        assert (
            await user.api.patch(f"/tasks/{task['id']}", json={"priority": "low"})
        ).status_code == 200

        await card(board, "stale").drag_to(column(board, "Done"))

        await expect(board.get_by_role("alert").filter(has_text="Someone")).to_contain_text(
            "Someone else changed “stale”"
        )
        await expect(card(column(board, "To do"), "stale")).to_contain_text("Low priority")
        assert await user.titles(status="todo") == ["stale"]

    async def test_deleting_a_task_someone_deleted(self, board: Page, user: WebUser) -> None:
        task = await user.create_task(title="gone")
        await board.reload()
        await expect(card(board, "gone")).to_be_visible()  # loaded before it goes
        assert (await user.api.delete(f"/tasks/{task['id']}")).status_code == 204

        await card(board, "gone").get_by_role("button", name="Delete").click()
        await board.get_by_role("dialog").get_by_role("button", name="Delete").click()

        await expect(board.get_by_role("alert").filter(has_text="gone")).to_have_text(
            "“gone” was deleted by someone else."
        )
        await expect(card(board, "gone")).to_have_count(0)
