"""Helpers for the browser tests (the fixtures are in conftest.py)."""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import httpx
from playwright.async_api import Browser, BrowserContext, Locator, Page, Route, ViewportSize, expect

from taskservice.auth.repository import UserRepository
from taskservice.config import Settings
from taskservice.db import create_db_sessionmaker, create_engine

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
LOCAL_HOST = "127.0.0.1"
COLUMNS = ("To do", "In progress", "Blocked", "Done")


@dataclass
class WebServer:
    base_url: str
    db_url: str


async def create_user(server: WebServer, name: str) -> str:
    """A new user of the server's database; returns its API key."""
    engine = create_engine(Settings(database_url=server.db_url))
    try:
        async with create_db_sessionmaker(engine)() as db, db.begin():
            _, key = await UserRepository(db).create(name)
    finally:
        await engine.dispose()
    return key


@dataclass
class WebUser:
    name: str
    key: str
    api: httpx.AsyncClient
    server: WebServer

    async def revoke(self) -> None:
        engine = create_engine(Settings(database_url=self.server.db_url))
        try:
            async with create_db_sessionmaker(engine)() as db, db.begin():
                await UserRepository(db).revoke(self.name)
        finally:
            await engine.dispose()

    async def create_task(self, **fields: object) -> dict[str, object]:
        response = await self.api.post("/tasks", json=fields)
        assert response.status_code == 201, response.text
        task: dict[str, object] = response.json()
        return task

    async def titles(self, **params: str) -> list[str]:
        response = await self.api.get("/tasks", params={"limit": 100, **params})
        assert response.status_code == 200, response.text
        return [task["title"] for task in response.json()["items"]]


@dataclass
class PageWatch:
    """What a page did that it must not: requests to other hosts, uncaught errors."""

    foreign_requests: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


async def new_context(
    browser: Browser,
    server: WebServer,
    watch: PageWatch,
    *,
    viewport: ViewportSize,
    color_scheme: Literal["dark", "light", "no-preference", "null"] | None = None,
    has_touch: bool | None = None,
) -> BrowserContext:
    """A browser context on ``server`` where every request to another host is blocked."""
    context = await browser.new_context(
        base_url=server.base_url,
        locale="en-US",
        timezone_id="UTC",
        viewport=viewport,
        color_scheme=color_scheme,
        has_touch=has_touch,
    )
    context.set_default_timeout(30_000)

    async def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname == LOCAL_HOST:
            await route.continue_()
        else:
            watch.foreign_requests.append(route.request.url)
            await route.abort("blockedbyclient")

    await context.route("**/*", only_local)
    context.on("weberror", lambda error: watch.page_errors.append(str(error.error)))
    return context


async def sign_in(page: Page, key: str) -> None:
    await page.goto("/")
    await page.get_by_label("API key").fill(key)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    for heading in COLUMNS:
        await expect(column(page, heading).locator(".count")).to_have_text(re.compile(r"tasks?$"))


def column(page: Page, heading: str) -> Locator:
    return page.get_by_role("region", name=heading, exact=True)


def card(page: Page | Locator, title: str) -> Locator:
    return page.get_by_role("article", name=title, exact=True)


async def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SCREENSHOTS / f"{name}.png")
