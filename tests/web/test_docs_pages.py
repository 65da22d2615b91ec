"""/docs and /redoc render in a browser that may reach nothing but 127.0.0.1."""

from playwright.async_api import Page, expect

from taskservice.app import create_app
from tests.web.browser import screenshot

# Every operation the schema documents (the /mcp endpoint and the web app are not in it).
OPERATIONS = sum(
    1
    for path in create_app().openapi()["paths"].values()
    for method in path
    if method in {"get", "post", "put", "patch", "delete"}
)


class TestDocsOffline:
    async def test_swagger_ui_renders_every_operation(self, page: Page) -> None:
        await page.goto("/docs")

        await expect(page.locator(".swagger-ui .info .title")).to_contain_text("taskservice")
        await expect(page.locator(".opblock")).to_have_count(OPERATIONS)
        await expect(page.locator(".opblock-summary-path").first).to_be_visible()
        await expect(page.get_by_role("button", name="Authorize")).to_be_visible()
        await screenshot(page, "docs-swagger-ui")
        # The page fixture fails the test if anything else was requested.

    async def test_redoc_renders_without_its_vendor_logo(self, page: Page) -> None:
        """ReDoc hard-codes a logo on its vendor's CDN; our policy keeps the browser
        from even trying (the page fixture fails the test on any such request)."""
        await page.goto("/redoc")

        await expect(page.locator("h1").first).to_contain_text("taskservice")
        await expect(page.locator("[data-section-id^='operation/']")).to_have_count(OPERATIONS)
        await expect(page.locator("[data-section-id='operation/create_task'] h2")).to_have_text(
            "Create Task"
        )
        await expect(page.locator("img[alt='redocly logo']")).to_have_count(0)
        await screenshot(page, "docs-redoc")
