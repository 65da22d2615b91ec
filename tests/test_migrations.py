"""Alembic owns the schema: models and migrations agree, on both backends."""

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import create_async_engine

from taskservice.migrations import alembic_config, head_revisions
from taskservice.models import metadata


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "render_as_batch": connection.dialect.name == "sqlite"},
    )
    return list(compare_metadata(context, metadata))


def _indexes(connection: Connection) -> dict[str, list[str]]:
    inspector = inspect(connection)
    return {
        index["name"]: [str(name) for name in index["column_names"]]
        for index in inspector.get_indexes("tasks")
        if index["name"]
    }


class TestMigrations:
    async def test_models_and_migrations_agree(self, db_url: str) -> None:
        engine = create_async_engine(db_url)
        try:
            async with engine.connect() as connection:
                assert await connection.run_sync(_diff) == []
        finally:
            await engine.dispose()

    async def test_list_indexes_exist(self, db_url: str) -> None:
        engine = create_async_engine(db_url)
        try:
            async with engine.connect() as connection:
                indexes = await connection.run_sync(_indexes)
        finally:
            await engine.dispose()
        assert indexes == {
            "ix_tasks_owner_created": ["owner_id", "created_at", "id"],
            "ix_tasks_owner_due": ["owner_id", "due_date", "id"],
            "ix_tasks_owner_priority": ["owner_id", "priority", "id"],
            "ix_tasks_owner_status_created": ["owner_id", "status", "created_at", "id"],
            "ix_tasks_owner_status_priority": ["owner_id", "status", "priority", "id"],
            "ix_tasks_owner_title": ["owner_id", "title", "id"],
            "ix_tasks_owner_updated": ["owner_id", "updated_at", "id"],
        }

    def test_downgrade_to_base_and_back(self, db_url: str) -> None:
        config = alembic_config(db_url)

        command.downgrade(config, "base")
        command.upgrade(config, "head")

        assert len(head_revisions()) == 1
