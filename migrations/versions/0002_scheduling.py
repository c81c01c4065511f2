"""Scheduling: idempotent meeting jobs in the outbox, and the "missed" status.

Revision ID: 0002_scheduling
Revises: 0002_records
Create Date: 2026-11-28

Written by hand against bot/storage/tables.py (pytest-alembic checks they match). The outbox
gets `dedupe_key` (unique: a meeting job planned twice is queued once), an index to find a
circle's pending meeting jobs, and "missed" among its statuses (a nudge whose meeting passed
while the bot was down is recorded, not sent late). Batch operations, so SQLite rebuilds the
table where it cannot alter it in place.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_scheduling"
down_revision: str | Sequence[str] | None = "0002_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = "status IN ('pending', 'claimed', 'sent', 'failed', 'dropped')"
NEW_STATUSES = "status IN ('pending', 'claimed', 'sent', 'failed', 'dropped', 'missed')"


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("dedupe_key", sa.String(length=255), nullable=True))
        batch.create_unique_constraint(op.f("uq_outbox_dedupe_key"), ["dedupe_key"])
        batch.drop_constraint(op.f("ck_outbox_status"), type_="check")
        batch.create_check_constraint(op.f("ck_outbox_status"), sa.text(NEW_STATUSES))
        batch.create_index(op.f("ix_outbox_circle_id_kind_status"), ["circle_id", "kind", "status"])


def downgrade() -> None:
    op.execute(sa.text("UPDATE outbox SET status = 'dropped' WHERE status = 'missed'"))
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(op.f("ix_outbox_circle_id_kind_status"))
        batch.drop_constraint(op.f("ck_outbox_status"), type_="check")
        batch.create_check_constraint(op.f("ck_outbox_status"), sa.text(OLD_STATUSES))
        batch.drop_constraint(op.f("uq_outbox_dedupe_key"), type_="unique")
        batch.drop_column("dedupe_key")
