"""Browser tests: Playwright driving Debian's Chromium against a real `taskservice serve`.

- The browser is the system's `/usr/bin/chromium` (`apt-get install chromium`; `make test`
  installs it when missing). Playwright never downloads one: its browser folder points at
  an empty one. A missing browser fails the tests; it never skips them.
- One server process for the session (`taskservice serve` on a free port, as `make run`
  starts it, on a SQLite file of its own; the REST and agent paths it serves run on both
  databases elsewhere in the suite), and a new user per test, so every test starts from
  an empty board. The agent is the built-in offline model.
- Every request a page makes to a host other than 127.0.0.1 is blocked and recorded; a
  test fails if its page tried one or threw an uncaught error.
- Playwright's async API and a browser per test: its sync API keeps an event loop running
  on the main thread, which breaks every asyncio test that runs after it.
"""

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright
from playwright.async_api import expect as playwright_expect

from tests.process import serving
from tests.web.browser import (
    CHROMIUM_FLAGS,
    PageWatch,
    WebServer,
    WebUser,
    create_user,
    new_context,
    sign_in,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that start the server process or the browser are `slow` (not in make test-fast)."""
    here = Path(__file__).parent
    for item in items:
        uses = set(getattr(item, "fixturenames", ()))
        if item.path.is_relative_to(here) and uses & {"web_server", "browser"}:
            item.add_marker(pytest.mark.slow)


CHROMIUM = os.environ.get("TASKSERVICE_TEST_CHROMIUM", "/usr/bin/chromium")
# Waits are upper bounds on a shared, noisy machine, never measurements.
playwright_expect.set_options(timeout=30_000)


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    folder = tmp_path_factory.mktemp("web")
    db_url = f"sqlite+aiosqlite:///{folder / 'web.db'}"
    # Keys are checked on every request, so that a revoked key fails at once.
    env = {"TASKSERVICE_AUTH_CACHE_TTL_S": "0"}
    with serving(db_url, env=env, log=folder / "serve.log") as (base_url, _):
        yield WebServer(base_url, db_url)


@pytest.fixture
async def user(web_server: WebServer) -> AsyncIterator[WebUser]:
    """A new user, with a REST client of its own for arranging data."""
    name = f"user-{uuid.uuid4().hex[:12]}"
    key = await create_user(web_server, name)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=web_server.base_url, headers=headers) as api:
        yield WebUser(name, key, api, web_server)


@pytest.fixture
def chromium() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"No browser at {CHROMIUM}: install Debian's with `apt-get install chromium` "
            "(`make test` does it when it is missing)."
        )
    return CHROMIUM


@pytest.fixture
async def playwright(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AsyncIterator[Playwright]:
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "no-browsers"))
    async with async_playwright() as driver:
        yield driver


@pytest.fixture
async def browser(playwright: Playwright, chromium: str) -> AsyncIterator[Browser]:
    launched = await playwright.chromium.launch(
        executable_path=chromium, headless=True, args=CHROMIUM_FLAGS
    )
    yield launched
    await launched.close()


@pytest.fixture
def watch() -> Iterator[PageWatch]:
    """Fails the test, once its pages are closed, if one of them reached for another
    host or threw an uncaught error."""
    seen = PageWatch()
    yield seen
    assert seen.foreign_requests == []
    assert seen.page_errors == []


@pytest.fixture
async def context(
    browser: Browser, web_server: WebServer, watch: PageWatch
) -> AsyncIterator[BrowserContext]:
    context = await new_context(browser, web_server, watch, viewport={"width": 1400, "height": 900})
    yield context
    await context.close()


@pytest.fixture
async def page(context: BrowserContext) -> Page:
    return await context.new_page()


@pytest.fixture
async def board(page: Page, user: WebUser) -> Page:
    """The page, signed in as ``user``, its board loaded."""
    await sign_in(page, user.key)
    return page
