"""Storage: circles and cases as versioned JSON documents, contributions, processed events,
and the outbox of effects (SQLAlchemy 2 async, SQLite or PostgreSQL, Alembic migrations).

Nothing connects at import time: build an engine with `engine.make_engine(url)`, migrate with
`migrate.upgrade(url)`, and open `uow.UnitOfWork(session_factory)` per engine step.
"""

from bot.storage.errors import AlreadyExistsError, ConcurrentUpdate, NotLoadedError, StorageError

__all__ = ["AlreadyExistsError", "ConcurrentUpdate", "NotLoadedError", "StorageError"]
