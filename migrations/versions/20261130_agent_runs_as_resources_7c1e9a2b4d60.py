"""agent runs as resources: run records with leases and tool calls; one name per concept

Agent sessions move to `agent_sessions` (was `agent_conversations`); their history,
the Agents SDK's tables, to `agent_history` and `agent_history_items` (were
`agent_sessions` and `agent_messages`). `agent_runs` held only runs in progress; it is
made anew as the record of every run, with `agent_tool_calls`.

Revision ID: 7c1e9a2b4d60
Revises: c56305162ca2
Create Date: 2026-11-30 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1e9a2b4d60"
down_revision: str | Sequence[str] | None = "c56305162ca2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rename_index(old: str, new: str, table: str, columns: list[str]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'ALTER INDEX "{old}" RENAME TO "{new}"')
    else:
        op.drop_index(old, table_name=table)
        op.create_index(new, table, columns)


def _rename_constraint(table: str, old: str, new: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'ALTER TABLE "{table}" RENAME CONSTRAINT "{old}" TO "{new}"')


def _rename_tables(renames: list[tuple[str, str]]) -> None:
    for old, new in renames:
        op.rename_table(old, new)


def upgrade() -> None:
    op.drop_table("agent_runs")

    _rename_tables([("agent_sessions", "agent_history"), ("agent_messages", "agent_history_items")])
    _rename_constraint("agent_history", "agent_sessions_pkey", "agent_history_pkey")
    _rename_constraint("agent_history_items", "agent_messages_pkey", "agent_history_items_pkey")
    _rename_constraint(
        "agent_history_items",
        "agent_messages_session_id_fkey",
        "agent_history_items_session_id_fkey",
    )
    _rename_index(
        "idx_agent_messages_session_time",
        "idx_agent_history_items_session_time",
        "agent_history_items",
        ["session_id", "created_at"],
    )

    _rename_tables([("agent_conversations", "agent_sessions")])
    _rename_constraint("agent_sessions", "agent_conversations_pkey", "agent_sessions_pkey")
    _rename_constraint(
        "agent_sessions", "agent_conversations_owner_id_fkey", "agent_sessions_owner_id_fkey"
    )
    _rename_index(
        "ix_agent_conversations_owner_updated",
        "ix_agent_sessions_owner_updated",
        "agent_sessions",
        ["owner_id", "updated_at"],
    )

    op.create_table(
        "agent_runs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("stop_requested", sa.String(length=16), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("calls_in_history", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=80), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["agent_sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_agent_runs_owner_status", "agent_runs", ["owner_id", "status"])
    op.create_index("ix_agent_runs_session", "agent_runs", ["session_id", "status"])
    op.create_index("ix_agent_runs_status_lease", "agent_runs", ["status", "lease_expires_at"])

    op.create_table(
        "agent_tool_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("call_id", sa.String(length=200), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("output", sa.JSON(), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["agent_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_agent_tool_calls_run_id", "agent_tool_calls", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_agent_tool_calls_run_id", table_name="agent_tool_calls")
    op.drop_table("agent_tool_calls")
    op.drop_index("ix_agent_runs_status_lease", table_name="agent_runs")
    op.drop_index("ix_agent_runs_session", table_name="agent_runs")
    op.drop_index("ix_agent_runs_owner_status", table_name="agent_runs")
    op.drop_table("agent_runs")

    _rename_index(
        "ix_agent_sessions_owner_updated",
        "ix_agent_conversations_owner_updated",
        "agent_sessions",
        ["owner_id", "updated_at"],
    )
    _rename_constraint(
        "agent_sessions", "agent_sessions_owner_id_fkey", "agent_conversations_owner_id_fkey"
    )
    _rename_constraint("agent_sessions", "agent_sessions_pkey", "agent_conversations_pkey")
    _rename_tables([("agent_sessions", "agent_conversations")])

    _rename_index(
        "idx_agent_history_items_session_time",
        "idx_agent_messages_session_time",
        "agent_history_items",
        ["session_id", "created_at"],
    )
    _rename_constraint(
        "agent_history_items",
        "agent_history_items_session_id_fkey",
        "agent_messages_session_id_fkey",
    )
    _rename_constraint("agent_history_items", "agent_history_items_pkey", "agent_messages_pkey")
    _rename_constraint("agent_history", "agent_history_pkey", "agent_sessions_pkey")
    _rename_tables([("agent_history_items", "agent_messages"), ("agent_history", "agent_sessions")])

    op.create_table(
        "agent_runs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_agent_runs_conversation", "agent_runs", ["conversation_id"])
    op.create_index("ix_agent_runs_owner", "agent_runs", ["owner_id"])
