"""Repositories of records and privacy: journals, erasure and purge records, and the bulk
reads and rewrites that reports, erasure and retention need. All inside a unit of work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Table, delete, func, insert, select, update

from bot.flows.model import Contribution
from bot.storage.engine import Executor
from bot.storage.repositories import contribution_from_row
from bot.storage.tables import circles, contributions, erasures, journal_entries, outbox, purges


@dataclass(frozen=True, slots=True)
class JournalEntry:
    id: str
    circle_id: str
    user_id: str
    text: str
    at: datetime
    case_number: int | None = None


@dataclass(frozen=True, slots=True)
class ErasureRecord:
    scope: str  # "member" or "circle"
    at: datetime
    by_facilitator: bool
    pseudonym: int | None = None


@dataclass(frozen=True, slots=True)
class PurgeRecord:
    case_id: str
    case_number: int
    contributions: int
    at: datetime


@dataclass(frozen=True, slots=True)
class OutboxPayload:
    id: int
    status: str
    payload: dict[str, Any]


class RecordRepository:
    def __init__(self, session: Executor) -> None:
        self._session = session

    # --- learning journal --------------------------------------------------------------

    async def add_journal_entry(self, entry: JournalEntry) -> None:
        await self._session.execute(
            insert(journal_entries).values(
                id=entry.id,
                circle_id=entry.circle_id,
                user_id=entry.user_id,
                case_number=entry.case_number,
                text=entry.text,
                at=entry.at,
            )
        )

    async def journal_of(self, circle_id: str, user_id: str) -> list[JournalEntry]:
        rows = await self._session.execute(
            select(journal_entries)
            .where(journal_entries.c.circle_id == circle_id, journal_entries.c.user_id == user_id)
            .order_by(journal_entries.c.at, journal_entries.c.id)
        )
        return [JournalEntry(r.id, r.circle_id, r.user_id, r.text, r.at, r.case_number) for r in rows]

    async def delete_journal_of(self, circle_id: str, user_id: str) -> None:
        await self._session.execute(
            delete(journal_entries).where(
                journal_entries.c.circle_id == circle_id, journal_entries.c.user_id == user_id
            )
        )

    async def rewrite_journal_texts(self, circle_id: str, rewrite: Callable[[str], str]) -> None:
        await self._rewrite_texts(journal_entries, journal_entries.c.id, circle_id, rewrite)

    async def _rewrite_texts(
        self, table: Table, key: Column[Any], circle_id: str, rewrite: Callable[[str], str]
    ) -> None:
        """Apply `rewrite` to the `text` of `table`'s rows in the circle; write back what changed."""
        rows = await self._session.execute(select(key, table.c.text).where(table.c.circle_id == circle_id))
        for row_key, text in rows.all():
            changed = rewrite(text)
            if changed != text:
                await self._session.execute(update(table).where(key == row_key).values(text=changed))

    # --- contributions in bulk ---------------------------------------------------------

    async def contributions_of_circle(self, circle_id: str) -> list[Contribution]:
        rows = await self._session.execute(
            select(contributions)
            .where(contributions.c.circle_id == circle_id)
            .order_by(contributions.c.at, contributions.c.seq)
        )
        return [contribution_from_row(row) for row in rows]

    async def has_contributions_by(self, circle_id: str, author_id: str) -> bool:
        found = await self._session.execute(
            select(contributions.c.seq)
            .where(contributions.c.circle_id == circle_id, contributions.c.author_id == author_id)
            .limit(1)
        )
        return found.first() is not None

    async def circle_ids_in_workspace(self, platform: str, workspace_id: str) -> list[str]:
        found = await self._session.execute(
            select(circles.c.id)
            .where(circles.c.platform == platform, circles.c.workspace_id == workspace_id)
            .order_by(circles.c.created_at, circles.c.id)
        )
        return list(found.scalars())

    async def reassign_author(self, circle_id: str, old: str, new: str) -> None:
        await self._session.execute(
            update(contributions)
            .where(contributions.c.circle_id == circle_id, contributions.c.author_id == old)
            .values(author_id=new)
        )

    async def rewrite_contribution_texts(self, circle_id: str, rewrite: Callable[[str], str]) -> None:
        await self._rewrite_texts(contributions, contributions.c.seq, circle_id, rewrite)

    async def blank_contributions_of_case(self, case_id: str, placeholder: str) -> int:
        """Replace the words of every contribution to the case; who, when, in which phase and
        of what kind stay. Returns how many were blanked."""
        blanked = await self._session.execute(
            update(contributions)
            .where(contributions.c.case_id == case_id)
            .values(text=placeholder, message_ref=None)
            .returning(contributions.c.seq)
        )
        return len(blanked.all())

    # --- the outbox, for erasure -------------------------------------------------------

    async def outbox_of_circle(self, circle_id: str) -> list[OutboxPayload]:
        rows = await self._session.execute(
            select(outbox.c.id, outbox.c.status, outbox.c.payload).where(outbox.c.circle_id == circle_id)
        )
        return [OutboxPayload(r.id, r.status, r.payload) for r in rows]

    async def replace_outbox_payload(self, row_id: int, payload: dict[str, Any]) -> None:
        await self._session.execute(update(outbox).where(outbox.c.id == row_id).values(payload=payload))

    async def delete_delivered_outbox_of_case(self, case_id: str) -> None:
        """Messages of a case already sent (or given up on) hold its texts: retention drops them."""
        await self._session.execute(
            delete(outbox).where(outbox.c.case_id == case_id, outbox.c.status.in_(("sent", "failed", "dropped")))
        )

    async def delete_outbox_rows(self, row_ids: list[int]) -> None:
        if row_ids:
            await self._session.execute(delete(outbox).where(outbox.c.id.in_(row_ids)))

    # --- erasures ----------------------------------------------------------------------

    async def record_erasure(self, circle_id: str, record: ErasureRecord) -> None:
        await self._session.execute(
            insert(erasures).values(
                circle_id=circle_id,
                scope=record.scope,
                pseudonym=record.pseudonym,
                by_facilitator=record.by_facilitator,
                at=record.at,
            )
        )

    async def next_pseudonym(self, circle_id: str) -> int:
        found = await self._session.scalar(
            select(func.coalesce(func.max(erasures.c.pseudonym), 0)).where(erasures.c.circle_id == circle_id)
        )
        return int(found or 0) + 1

    async def erasures_of(self, circle_id: str) -> list[ErasureRecord]:
        rows = await self._session.execute(
            select(erasures).where(erasures.c.circle_id == circle_id).order_by(erasures.c.at, erasures.c.id)
        )
        return [ErasureRecord(r.scope, r.at, r.by_facilitator, r.pseudonym) for r in rows]

    async def delete_circle(self, circle_id: str) -> None:
        """The circle and everything hanging from it (cases, contributions, journals, purges
        cascade); its queued messages too, so nothing of it is sent after."""
        await self._session.execute(delete(outbox).where(outbox.c.circle_id == circle_id))
        await self._session.execute(delete(circles).where(circles.c.id == circle_id))

    # --- purges ------------------------------------------------------------------------

    async def record_purge(self, circle_id: str, record: PurgeRecord) -> None:
        await self._session.execute(
            insert(purges).values(
                circle_id=circle_id,
                case_id=record.case_id,
                case_number=record.case_number,
                contributions=record.contributions,
                at=record.at,
            )
        )

    async def purges_of(self, circle_id: str) -> list[PurgeRecord]:
        rows = await self._session.execute(
            select(purges).where(purges.c.circle_id == circle_id).order_by(purges.c.at, purges.c.id)
        )
        return [PurgeRecord(r.case_id, r.case_number, r.contributions, r.at) for r in rows]
