"""What a DML statement executed through a session did."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import CursorResult, Result


def rowcount(result: Result[Any]) -> int:
    """Rows an INSERT, UPDATE or DELETE affected (matched, for an UPDATE).

    `AsyncSession.execute` is typed as returning a Result; for DML it is a CursorResult.
    """
    assert isinstance(result, CursorResult)
    return result.rowcount
