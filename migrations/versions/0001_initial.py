"""Initial schema: circles, cases, contributions, processed events, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-28

Written by hand against bot/storage/tables.py (pytest-alembic checks they match). Datetime
columns are plain DateTime(timezone=True) here; the app's UTCDateTime only converts values.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=128)


def utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "circles",
        sa.Column("id", ID, nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("channel_id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("created_at", utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circles")),
        sa.UniqueConstraint(
            "platform",
            "workspace_id",
            "channel_id",
            name=op.f("uq_circles_platform_workspace_id_channel_id"),
        ),
    )
    op.create_table(
        "cases",
        sa.Column("id", ID, nullable=False),
        sa.Column("circle_id", ID, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("deadline", utc(), nullable=True),
        sa.Column("thread_ref", ID, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("opened_at", utc(), nullable=False),
        sa.Column("closed_at", utc(), nullable=True),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_cases_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("circle_id", "number", name=op.f("uq_cases_circle_id_number")),
    )
    op.create_index(op.f("ix_cases_circle_id_phase"), "cases", ["circle_id", "phase"])
    op.create_index(op.f("ix_cases_circle_id_thread_ref"), "cases", ["circle_id", "thread_ref"])
    op.create_index(op.f("ix_cases_circle_id_client_id"), "cases", ["circle_id", "client_id"])

    op.create_table(
        "contributions",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("circle_id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("out_of_role", sa.Boolean(), nullable=False),
        sa.Column("at", utc(), nullable=False),
        sa.Column("message_ref", ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_contributions_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_contributions")),
        sa.UniqueConstraint("id", name=op.f("uq_contributions_id")),
    )
    op.create_index(op.f("ix_contributions_case_id_at"), "contributions", ["case_id", "at"])
    op.create_index(op.f("ix_contributions_circle_id_author_id"), "contributions", ["circle_id", "author_id"])

    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("received_at", utc(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_processed_events")),
    )
    op.create_index(op.f("ix_processed_events_received_at"), "processed_events", ["received_at"])

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("circle_id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("due_at", utc(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", ID, nullable=True),
        sa.Column("claimed_until", utc(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", utc(), nullable=False),
        sa.Column("sent_at", utc(), nullable=True),
        sa.Column("message_ref", ID, nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'claimed', 'sent', 'failed', 'dropped')",
            name=op.f("ck_outbox_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(op.f("ix_outbox_status_due_at"), "outbox", ["status", "due_at"])
    op.create_index(op.f("ix_outbox_case_id_status"), "outbox", ["case_id", "status"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("processed_events")
    op.drop_table("contributions")
    op.drop_table("cases")
    op.drop_table("circles")
