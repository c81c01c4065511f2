"""The outbox remembers how far an effect shown as several messages got.

Revision ID: 0004_outbox_parts
Revises: 0003_slack_oauth
Create Date: 2026-11-29

Written by hand against bot/storage/tables.py (pytest-alembic checks they match). A long
text goes out in pieces, a case card after its note: when a piece fails, the retry starts
after the pieces already sent (`parts_sent`, the first one's id kept in `message_ref`),
instead of posting them twice.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_outbox_parts"
down_revision: str | Sequence[str] | None = "0003_slack_oauth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("parts_sent", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("parts_sent")
