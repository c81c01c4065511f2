"""Records and privacy: learning journal entries, erasure records, retention purges.

Revision ID: 0002_records
Revises: 0001
Create Date: 2026-11-28

Written by hand against bot/storage/tables.py (pytest-alembic checks they match). Only new
tables, so nothing needs a batch operation on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_records"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=128)


def utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "journal_entries",
        sa.Column("id", ID, nullable=False),
        sa.Column("circle_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("case_number", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_journal_entries_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entries")),
    )
    op.create_index(op.f("ix_journal_entries_circle_id_user_id"), "journal_entries", ["circle_id", "user_id"])

    op.create_table(
        "erasures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("circle_id", ID, nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("pseudonym", sa.Integer(), nullable=True),
        sa.Column("by_facilitator", sa.Boolean(), nullable=False),
        sa.Column("at", utc(), nullable=False),
        sa.CheckConstraint("scope IN ('member', 'circle')", name=op.f("ck_erasures_scope")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasures")),
    )
    op.create_index(op.f("ix_erasures_circle_id"), "erasures", ["circle_id"])

    op.create_table(
        "purges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("circle_id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("case_number", sa.Integer(), nullable=False),
        sa.Column("contributions", sa.Integer(), nullable=False),
        sa.Column("at", utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_purges_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_purges_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purges")),
        sa.UniqueConstraint("case_id", name=op.f("uq_purges_case_id")),
    )
    op.create_index(op.f("ix_purges_circle_id"), "purges", ["circle_id"])


def downgrade() -> None:
    op.drop_table("purges")
    op.drop_table("erasures")
    op.drop_table("journal_entries")
