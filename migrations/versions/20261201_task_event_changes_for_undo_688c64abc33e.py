"""task events know their change: version after it, change id, and the change it undoes

An agent's undo reverts the last change its conversation made: the events one tool call
recorded share a `change_id`; each records the task's `version` after it (what the undo
expects to find, as an If-Match), and an undo's own events name the change they revert
in `undoes`. All nullable: events recorded before stay as they were.

Revision ID: 688c64abc33e
Revises: 1280ddd84b30
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "688c64abc33e"
down_revision: str | Sequence[str] | None = "1280ddd84b30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("task_events", sa.Column("version", sa.Integer(), nullable=True))
    op.add_column("task_events", sa.Column("change_id", sa.String(length=32), nullable=True))
    op.add_column("task_events", sa.Column("undoes", sa.String(length=32), nullable=True))
    op.create_index("ix_task_events_owner_session", "task_events", ["owner_id", "session_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_task_events_owner_session", table_name="task_events")
    with op.batch_alter_table("task_events") as batch:
        batch.drop_column("undoes")
        batch.drop_column("change_id")
        batch.drop_column("version")
