"""The schema: a few indexed columns beside each state document, plus the outbox.

Circles and cases are stored whole as JSON (the engine's values); the columns beside the
document exist only to find rows (by channel, thread, phase) and to guard concurrent saves.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

# Named constraints, so batch migrations on SQLite can find and change them later.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

ID_LENGTH = 128
# "missed": a meeting job that came due only after its meeting (the bot was down): not sent.
OUTBOX_STATUSES = ("pending", "claimed", "sent", "failed", "dropped", "missed")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no time zone type: values are stored as naive UTC text (which still sorts
    correctly) and come back with UTC attached. Naive values are refused on the way in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: storage needs timezone-aware values")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


circles = Table(
    "circles",
    metadata,
    Column("id", String(ID_LENGTH), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("workspace_id", String(ID_LENGTH), nullable=False),
    Column("channel_id", String(ID_LENGTH), nullable=False),
    Column("name", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("state", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("platform", "workspace_id", "channel_id"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", String(ID_LENGTH), primary_key=True),
    Column(
        "circle_id",
        String(ID_LENGTH),
        ForeignKey("circles.id", ondelete="CASCADE"),
        nullable=False,
    ),
    # People name cases by number ("case 3"); unique per circle, so two racing submissions
    # cannot both take the same one.
    Column("number", Integer, nullable=False),
    Column("client_id", String(ID_LENGTH), nullable=False),
    Column("phase", String(32), nullable=False),
    Column("deadline", UTCDateTime, nullable=True),
    # The platform id of the case card message; set once the card has been delivered.
    Column("thread_ref", String(ID_LENGTH), nullable=True),
    Column("version", Integer, nullable=False),
    Column("state", JSON, nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    UniqueConstraint("circle_id", "number"),
    Index(None, "circle_id", "phase"),
    Index(None, "circle_id", "thread_ref"),
    Index(None, "circle_id", "client_id"),
)

contributions = Table(
    "contributions",
    metadata,
    # A surrogate key that records insertion order: contributions of one step share `at`.
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(ID_LENGTH), nullable=False, unique=True),
    Column(
        "case_id",
        String(ID_LENGTH),
        ForeignKey("cases.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("circle_id", String(ID_LENGTH), nullable=False),
    Column("author_id", String(ID_LENGTH), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("phase", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("out_of_role", Boolean, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("message_ref", String(ID_LENGTH), nullable=True),
    Index(None, "case_id", "at"),
    Index(None, "circle_id", "author_id"),
)

processed_events = Table(
    "processed_events",
    metadata,
    Column("event_id", String(255), primary_key=True),
    Column("received_at", UTCDateTime, nullable=False),
    Index(None, "received_at"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("circle_id", String(ID_LENGTH), nullable=False),
    Column("case_id", String(ID_LENGTH), nullable=True),
    Column("kind", String(32), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("claimed_by", String(ID_LENGTH), nullable=True),
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    # While undelivered: the first message an attempt sent of an effect shown as several.
    Column("message_ref", String(ID_LENGTH), nullable=True),
    # How many of those messages went out, so a retry sends only the rest (migration 0004).
    Column("parts_sent", Integer, nullable=False, server_default="0"),
    # Scheduled meeting jobs name themselves (circle, meeting, job, zone): planning them
    # twice, or from two replicas, inserts one row (migration 0002).
    Column("dedupe_key", String(255), nullable=True, unique=True),
    CheckConstraint(f"status IN ({', '.join(map(repr, OUTBOX_STATUSES))})", name="status"),
    # The claim reads due rows in (due_at, id) order and stops at its limit (migration 0005).
    Index(None, "status", "due_at", "id"),
    # The claim looks for earlier undelivered rows of the same case (delivery order).
    Index(None, "case_id", "status"),
    # Re-planning a circle's meetings finds its pending meeting jobs (migration 0002).
    Index(None, "circle_id", "kind", "status"),
)

# --- records and privacy (bot/records) ------------------------------------------------------

journal_entries = Table(
    "journal_entries",
    metadata,
    # A member's private learning journal in one circle: only its author ever reads it.
    Column("id", String(ID_LENGTH), primary_key=True),
    Column(
        "circle_id",
        String(ID_LENGTH),
        ForeignKey("circles.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("user_id", String(ID_LENGTH), nullable=False),
    Column("case_number", Integer, nullable=True),
    Column("text", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "circle_id", "user_id"),
)

erasures = Table(
    "erasures",
    metadata,
    # That an erasure happened, never what was erased. No foreign key: the record of a whole
    # circle's deletion outlives the circle.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("circle_id", String(ID_LENGTH), nullable=False),
    Column("scope", String(16), nullable=False),
    # The erased member's stable pseudonym in the circle ("a former member (2)").
    Column("pseudonym", Integer, nullable=True),
    Column("by_facilitator", Boolean, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    CheckConstraint("scope IN ('member', 'circle')", name="scope"),
    Index(None, "circle_id"),
)

purges = Table(
    "purges",
    metadata,
    # Retention: a closed case whose contributions were purged, once.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "circle_id",
        String(ID_LENGTH),
        ForeignKey("circles.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "case_id",
        String(ID_LENGTH),
        ForeignKey("cases.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("case_number", Integer, nullable=False),
    Column("contributions", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "circle_id"),
)

# --- Slack installations (multi-workspace OAuth; migration 0003_slack_oauth) ----------------
# Built by slack-sdk's stores' own classmethods, on this MetaData, so Alembic manages them.
from bot.storage.slack_tables import add_slack_oauth_tables  # noqa: E402

slack_oauth_tables = add_slack_oauth_tables(metadata)
