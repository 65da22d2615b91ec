"""Fit and access: 375 px wide, light and dark, every control named and reachable by Tab."""

from typing import Any

from playwright.async_api import Browser, Page, expect

from tests.web.browser import (
    PageWatch,
    WebServer,
    WebUser,
    card,
    column,
    new_context,
    screenshot,
    sign_in,
)

# Every control a person can use, visible now, tagged with an index for the Tab walk.
TAG_FOCUSABLES = """() => {
  const selector = "a[href], button, input, select, textarea, summary, [tabindex='0']";
  const visible = (el) =>
    el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const all = [...document.querySelectorAll(selector)].filter((el) => !el.disabled && visible(el));
  all.forEach((el, i) => el.setAttribute("data-probe", String(i)));
  return all.length;
}"""
NAMED_ROLES = {
    "button",
    "textbox",
    "searchbox",
    "combobox",
    "checkbox",
    "link",
    "menuitem",
    "article",
    "region",
    "form",
    "dialog",
    "log",
}


async def unnamed_controls(page: Page) -> list[str]:
    """Controls in Chromium's own accessibility tree that have no accessible name."""
    cdp = await page.context.new_cdp_session(page)
    tree: dict[str, Any] = await cdp.send("Accessibility.getFullAXTree")
    missing = []
    for node in tree["nodes"]:
        role = node.get("role", {}).get("value")
        if node.get("ignored") or role not in NAMED_ROLES:
            continue
        if not str(node.get("name", {}).get("value", "")).strip():
            missing.append(f"{role} #{node.get('backendDOMNodeId')}")
    await cdp.detach()
    return missing


class TestNarrowScreen:
    async def test_375_px_wide(
        self, browser: Browser, web_server: WebServer, watch: PageWatch, user: WebUser
    ) -> None:
        await user.create_task(title="a task with quite a long title to wrap", tags=["phone"])
        context = await new_context(
            browser, web_server, watch, viewport={"width": 375, "height": 812}, has_touch=True
        )
        page = await context.new_page()
        await sign_in(page, user.key)

        async def fits() -> None:
            widths = await page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert widths[0] == widths[1], widths

        await fits()
        await expect(page.get_by_role("button", name="Board", exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
        await expect(page.get_by_role("region", name="Assistant")).to_be_hidden()
        for heading in ("To do", "In progress", "Blocked", "Done"):
            box = await column(page, heading).bounding_box()
            assert box is not None
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= 375
        await screenshot(page, "board-narrow")

        await (
            card(page, "a task with quite a long title to wrap")
            .get_by_role("button", name="Edit")
            .click()
        )
        await fits()
        editor = page.get_by_role("form", name="Edit “a task with quite a long title to wrap”")
        box = await editor.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= 375
        await editor.get_by_label("Title").fill("short")
        await editor.get_by_role("button", name="Save").click()
        await expect(card(page, "short")).to_be_visible()

        await page.get_by_role("button", name="Assistant", exact=True).click()
        await expect(page.get_by_role("region", name="Assistant")).to_be_visible()
        await expect(page.get_by_role("heading", name="To do")).to_be_hidden()
        await page.get_by_label("Message").fill("add a task to charge the phone")
        await page.get_by_role("button", name="Send").click()
        await expect(page.locator(".msg.assistant .reply").last).to_contain_text("Created task")
        await fits()
        await screenshot(page, "assistant-narrow")

        await page.get_by_role("button", name="Board", exact=True).click()
        await expect(card(column(page, "To do"), "charge the phone")).to_be_visible()
        await context.close()


class TestColorScheme:
    async def test_light_and_dark_follow_the_system(
        self, browser: Browser, web_server: WebServer, watch: PageWatch, user: WebUser
    ) -> None:
        await user.create_task(title="ship it", priority="urgent", tags=["release"])
        await user.create_task(title="review", status="in_progress", due_date="2020-01-01")
        colors = {}
        for scheme in ("light", "dark"):
            context = await new_context(
                browser,
                web_server,
                watch,
                viewport={"width": 1400, "height": 900},
                color_scheme=scheme,
            )
            page = await context.new_page()
            await sign_in(page, user.key)
            await expect(card(page, "review")).to_be_visible()
            colors[scheme] = await page.evaluate(
                "[getComputedStyle(document.body).backgroundColor,"
                " getComputedStyle(document.body).color]"
            )
            await screenshot(page, f"board-{scheme}")
            await context.close()

        assert colors == {
            "light": ["rgb(244, 245, 247)", "rgb(28, 31, 36)"],
            "dark": ["rgb(21, 23, 27)", "rgb(232, 234, 238)"],
        }


class TestKeyboardAndLabels:
    async def test_every_control_is_named_and_reached_by_tab(
        self, board: Page, user: WebUser
    ) -> None:
        await user.create_task(title="reach me", tags=["k"])
        await board.reload()
        await expect(card(board, "reach me")).to_be_visible()
        await board.get_by_text("More fields").click()  # its fields count too
        await board.get_by_text("Conversations", exact=True).click()

        assert await unnamed_controls(board) == []

        count = await board.evaluate(TAG_FOCUSABLES)
        reached = set()
        await board.locator("body").focus()
        for _ in range(count * 2):
            await board.keyboard.press("Tab")
            probe = await board.evaluate("document.activeElement?.dataset?.probe ?? null")
            if probe is not None:
                reached.add(int(probe))
            if len(reached) == count:
                break
        assert sorted(set(range(count)) - reached) == []
        # The header (skip link, docs, sign out), the new-task form with its fields, the
        # filters, the card (itself and 6 buttons) and the assistant's controls.
        assert count == 28

    async def test_dialogs_and_menus_are_named_too(self, board: Page, user: WebUser) -> None:
        await user.create_task(title="named")
        await board.reload()

        await card(board, "named").get_by_role("button", name="Move").click()
        assert await unnamed_controls(board) == []
        await board.keyboard.press("Escape")
        await card(board, "named").get_by_role("button", name="Edit").click()
        assert await unnamed_controls(board) == []
        await board.keyboard.press("Escape")
        await card(board, "named").get_by_role("button", name="History").click()
        await expect(board.get_by_role("dialog")).to_be_visible()
        assert await unnamed_controls(board) == []
