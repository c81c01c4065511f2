"""The outbox's due-order index carries the row id, the claim's tie-break.

Revision ID: 0005_outbox_claim_order
Revises: 0004_outbox_parts
Create Date: 2026-11-29

Written by hand against bot/storage/tables.py (pytest-alembic checks they match). A claim
takes due rows in (due_at, id) order. With the index on (status, due_at) alone, PostgreSQL
sorted every row due at one moment to find the first few (50,000 queued rows: 117 ms per
claim of 400); with id in the index it reads them in order and stops at the limit. SQLite
keeps the row id in every index already; the index is the same there, renamed.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_outbox_claim_order"
down_revision: str | Sequence[str] | None = "0004_outbox_parts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(op.f("ix_outbox_status_due_at"))
        batch.create_index(op.f("ix_outbox_status_due_at_id"), ["status", "due_at", "id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(op.f("ix_outbox_status_due_at_id"))
        batch.create_index(op.f("ix_outbox_status_due_at"), ["status", "due_at"])
