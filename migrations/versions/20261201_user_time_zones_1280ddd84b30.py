"""user time zones: each user's today is the date in their IANA time zone

Existing users get `UTC`, the date the service used for everyone until now.

Revision ID: 1280ddd84b30
Revises: 7c1e9a2b4d60
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1280ddd84b30"
down_revision: str | Sequence[str] | None = "7c1e9a2b4d60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("timezone", sa.String(length=64), nullable=False, server_default="UTC"),
    )


def downgrade() -> None:
    # A plain ALTER TABLE ... DROP COLUMN on both databases (SQLite >= 3.35): a batch
    # copy of `users` on SQLite would drop the table, and its keys would cascade away.
    op.drop_column("users", "timezone")
