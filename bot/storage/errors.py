"""Storage errors the service layer may want to handle."""

from __future__ import annotations


class StorageError(Exception):
    """Base of the errors raised by bot.storage."""


class ConcurrentUpdate(StorageError):  # noqa: N818 (the agreed name)
    """Someone else saved this circle or case since this unit of work loaded it.

    The usual answer is to reload and apply the command again in a new unit of work.
    """

    def __init__(self, table: str, row_id: str) -> None:
        super().__init__(f"{table} {row_id!r} was saved concurrently")
        self.table = table
        self.row_id = row_id


class AlreadyExistsError(StorageError):
    """A row with this identity (id, or circle channel) is already stored."""


class NotLoadedError(StorageError):
    """`save` was called for a value not loaded or added in this unit of work."""
