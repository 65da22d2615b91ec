"""Signing in with an API key, signing out, and being sent back on a 401."""

from playwright.async_api import Page, expect

from tests.web.browser import WebUser, screenshot, sign_in


class TestSignIn:
    async def test_the_key_opens_the_board_and_stays_for_the_tab(
        self, page: Page, user: WebUser
    ) -> None:
        await user.create_task(title="already there")
        await page.goto("/")
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        await screenshot(page, "sign-in")

        await sign_in(page, user.key)

        for heading in ("To do", "In progress", "Blocked", "Done"):
            await expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        await expect(page.get_by_role("article", name="already there")).to_be_visible()
        stored = await page.evaluate("sessionStorage.getItem('taskservice.apiKey')")
        assert stored == user.key
        await page.reload()
        await expect(page.get_by_role("article", name="already there")).to_be_visible()

    async def test_a_wrong_key_is_refused_with_a_message(self, page: Page) -> None:
        await page.goto("/")
        await page.get_by_label("API key").fill("ts_not-a-key")
        await page.get_by_role("button", name="Sign in").click()

        await expect(page.locator("#sign-in-message")).to_have_text(
            "That API key was not accepted. Check it and try again."
        )
        await expect(page.get_by_role("heading", name="To do")).to_be_hidden()
        assert await page.evaluate("sessionStorage.getItem('taskservice.apiKey')") is None

    async def test_sign_out_forgets_the_key(self, page: Page, user: WebUser) -> None:
        await sign_in(page, user.key)

        await page.get_by_role("button", name="Sign out").click()

        await expect(page.get_by_label("API key")).to_be_focused()
        await expect(page.locator("#sign-in-message")).to_have_text("You signed out.")
        assert await page.evaluate("sessionStorage.getItem('taskservice.apiKey')") is None
        await page.reload()
        await expect(page.get_by_label("API key")).to_be_visible()

    async def test_a_401_brings_the_user_back_to_sign_in(self, page: Page, user: WebUser) -> None:
        await sign_in(page, user.key)
        await user.revoke()

        await page.get_by_label("New task").fill("after revocation")
        await page.get_by_role("button", name="Add").click()

        await expect(page.locator("#sign-in-message")).to_have_text(
            "You were signed out: your API key is no longer accepted (it may have been "
            "revoked). Sign in again."
        )
        await expect(page.get_by_label("API key")).to_be_visible()
        assert await page.evaluate("sessionStorage.getItem('taskservice.apiKey')") is None
