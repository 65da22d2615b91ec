"""folded title and description for Unicode case-insensitive search

Existing tasks get their folded text here. The folding is copied, not imported, so that
this migration stays as it was written whatever the application's code becomes.

Revision ID: c56305162ca2
Revises: 9bb07a6547b5
Create Date: 2026-11-30 10:18:13.759205
"""

import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "c56305162ca2"
down_revision: str | Sequence[str] | None = "9bb07a6547b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fold(text: str | None) -> str | None:
    if text is None:
        return None
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


@contextmanager
def _recreating_tasks_on_sqlite() -> Iterator[Any]:
    """Batch mode, which SQLite needs to change a column, copies the table into a new one;
    keep what the copy would lose: AUTOINCREMENT, and the highest id ever given (ids of
    deleted tasks are never reused: their history outlives them)."""
    connection = op.get_bind()
    last_id = connection.execute(
        sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'tasks'")
    ).scalar()
    with op.batch_alter_table("tasks", table_kwargs={"sqlite_autoincrement": True}) as batch:
        yield batch
    if last_id is not None:
        connection.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'tasks'"))
        connection.execute(
            sa.text(
                "INSERT INTO sqlite_sequence (name, seq) "
                "SELECT 'tasks', max(:last_id, coalesce(max(id), 0)) FROM tasks"
            ),
            {"last_id": last_id},
        )


def upgrade() -> None:
    op.add_column("tasks", sa.Column("title_folded", sa.Text(), nullable=True))
    op.add_column("tasks", sa.Column("description_folded", sa.Text(), nullable=True))

    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, title, description FROM tasks")).all()
    update = sa.text(
        "UPDATE tasks SET title_folded = :title, description_folded = :description WHERE id = :id"
    )
    for start in range(0, len(rows), 1000):
        connection.execute(
            update,
            [
                {"id": row.id, "title": _fold(row.title), "description": _fold(row.description)}
                for row in rows[start : start + 1000]
            ],
        )

    if connection.dialect.name == "sqlite":
        with _recreating_tasks_on_sqlite() as batch:
            batch.alter_column("title_folded", existing_type=sa.Text(), nullable=False)
    else:
        op.alter_column("tasks", "title_folded", existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with _recreating_tasks_on_sqlite() as batch:
            batch.drop_column("description_folded")
            batch.drop_column("title_folded")
    else:
        op.drop_column("tasks", "description_folded")
        op.drop_column("tasks", "title_folded")
