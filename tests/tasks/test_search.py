"""Text search (`q`) folds Unicode alike on SQLite and PostgreSQL; titles that show
nothing are refused."""

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from taskservice.migrations import alembic_config
from taskservice.tasks.search import fold
from tests.conftest import ApiUser

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BEFORE_FOLDING = "9bb07a6547b5"  # the migration before the folded columns


async def create(user: ApiUser, title: str, **fields: Any) -> int:
    response = await user.client.post("/tasks", json={"title": title, **fields})
    assert response.status_code == 201, response.text
    task_id: int = response.json()["id"]
    return task_id


async def found(user: ApiUser, q: str) -> list[str]:
    response = await user.client.get("/tasks", params={"q": q, "sort": "title"})
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


class TestFold:
    @pytest.mark.parametrize(
        ("text", "folded"),
        [
            ("ÄPFEL kaufen", "äpfel kaufen"),
            ("A\u0308PFEL", "äpfel"),
            ("Straße", "strasse"),
            ("ΣΊΣΥΦΟΣ", "σίσυφοσ"),
            ("ﬁle", "file"),
            ("\uff26\uff55\uff4c\uff4c", "full"),  # fullwidth letters
            ("İstanbul", "i\u0307stanbul"),
        ],
    )
    def test_fold(self, text: str, folded: str) -> None:
        assert fold(text) == folded


class TestUnicodeSearch:
    @pytest.mark.parametrize(
        ("q", "titles"),
        [
            ("äpfel", ["ÄPFEL kaufen"]),
            ("ÄPFEL", ["ÄPFEL kaufen"]),
            ("A\u0308pfel", ["ÄPFEL kaufen"]),
            ("strasse", ["Straße fegen"]),
            ("STRASSE", ["Straße fegen"]),
            ("σίσυφος", ["ΣΊΣΥΦΟΣ lesen"]),
            ("file", ["ﬁle taxes"]),
            ("kaufen", ["ÄPFEL kaufen"]),
            ("ÉCOLE", ["notes"]),
        ],
    )
    async def test_finds_whatever_the_case(self, alice: ApiUser, q: str, titles: list[str]) -> None:
        await create(alice, "ÄPFEL kaufen")
        await create(alice, "Straße fegen")
        await create(alice, "ΣΊΣΥΦΟΣ lesen")
        await create(alice, "ﬁle taxes")
        await create(alice, "notes", description="pick up from the école")

        assert await found(alice, q) == titles

    async def test_a_changed_title_is_found_by_its_new_text_only(self, alice: ApiUser) -> None:
        task_id = await create(alice, "ÄPFEL kaufen", description="Grüße")
        response = await alice.client.patch(
            f"/tasks/{task_id}", json={"title": "BIRNEN kaufen", "description": None}
        )
        assert response.status_code == 200

        assert await found(alice, "äpfel") == []
        assert await found(alice, "grüsse") == []
        assert await found(alice, "birnen") == ["BIRNEN kaufen"]

    async def test_a_replaced_task_is_found_by_its_new_description(self, alice: ApiUser) -> None:
        task_id = await create(alice, "t")
        response = await alice.client.put(
            f"/tasks/{task_id}", json={"title": "t", "description": "ÜBERWEISUNG"}
        )
        assert response.status_code == 200

        assert await found(alice, "überweisung") == ["t"]

    async def test_like_wildcards_are_literal_after_folding(self, alice: ApiUser) -> None:
        await create(alice, "100% SICHER_")
        await create(alice, "1000 sicher")

        assert await found(alice, "0%") == ["100% SICHER_"]
        assert await found(alice, "r_") == ["100% SICHER_"]


class TestFoldingMigration:
    async def test_the_migration_folds_existing_tasks(self, db_url: str) -> None:
        config = alembic_config(db_url)
        await asyncio.to_thread(command.downgrade, config, BEFORE_FOLDING)
        engine = create_async_engine(db_url)
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    text("INSERT INTO users (id, name, created_at) VALUES (1, 'u', :now)"),
                    {"now": NOW},
                )
                await connection.execute(
                    text(
                        "INSERT INTO tasks (id, owner_id, title, description, status, priority, "
                        "tags, created_at, updated_at, version) VALUES "
                        "(1, 1, 'ÄPFEL', NULL, 'todo', 2, '[]', :now, :now, 1), "
                        "(2, 1, 'x', 'Straße', 'todo', 2, '[]', :now, :now, 1)"
                    ),
                    {"now": NOW},
                )
            await asyncio.to_thread(command.upgrade, config, "head")
            async with engine.connect() as connection:
                rows = (
                    await connection.execute(
                        text("SELECT id, title_folded, description_folded FROM tasks ORDER BY id")
                    )
                ).all()
        finally:
            await engine.dispose()

        assert [tuple(row) for row in rows] == [(1, "äpfel", None), (2, "x", "strasse")]

    async def test_ids_of_deleted_tasks_stay_retired(self, db_url: str) -> None:
        """On SQLite the migration rebuilds the table: AUTOINCREMENT and its counter stay."""
        config = alembic_config(db_url)
        await asyncio.to_thread(command.downgrade, config, BEFORE_FOLDING)
        engine = create_async_engine(db_url)
        insert = text(
            "INSERT INTO tasks (owner_id, title, status, priority, tags, created_at, "
            "updated_at, version) VALUES (1, 't', 'todo', 2, '[]', :now, :now, 1)"
        )
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    text("INSERT INTO users (id, name, created_at) VALUES (1, 'u', :now)"),
                    {"now": NOW},
                )
                for _ in range(3):
                    await connection.execute(insert, {"now": NOW})
                await connection.execute(text("DELETE FROM tasks WHERE id = 3"))
            await asyncio.to_thread(command.upgrade, config, "head")
            async with engine.begin() as connection:
                await connection.execute(
                    text(
                        "INSERT INTO tasks (owner_id, title, title_folded, status, priority, "
                        "tags, created_at, updated_at, version) "
                        "VALUES (1, 't', 't', 'todo', 2, '[]', :now, :now, 1)"
                    ),
                    {"now": NOW},
                )
                ids = (await connection.execute(text("SELECT id FROM tasks ORDER BY id"))).all()
        finally:
            await engine.dispose()

        assert [row[0] for row in ids] == [1, 2, 4]


class TestInvisibleTitles:
    @pytest.mark.parametrize(
        "title",
        ["\u200b", "\u200b \u200d\ufeff", "\u2060\t\u00ad", "\U000e0001\U000e0041", " \u202e "],
    )
    @pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
    async def test_is_422_and_changes_nothing(
        self, alice: ApiUser, title: str, method: str
    ) -> None:
        task_id = await create(alice, "kept")
        path = "/tasks" if method == "POST" else f"/tasks/{task_id}"

        response = await alice.client.request(method, path, json={"title": title})

        assert response.status_code == 422
        assert [(e["field"], e["message"]) for e in response.json()["errors"]] == [
            ("body.title", "Value error, title must not be blank")
        ]
        listed = (await alice.client.get("/tasks")).json()
        assert [item["title"] for item in listed["items"]] == ["kept"]

    async def test_an_invisible_character_beside_a_visible_one_is_kept(
        self, alice: ApiUser
    ) -> None:
        response = await alice.client.post("/tasks", json={"title": " \u200bok "})

        assert response.status_code == 201
        assert response.json()["title"] == "\u200bok"
