"""Domain errors: a refused command, with a catalog key so the refusal reads in any language."""

from __future__ import annotations


class DomainError(Exception):
    """A command the protocol does not allow; raising it leaves every state unchanged."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
        # Set when the refusal should be read in another language than the circle's.
        self.language: str | None = None

    def __repr__(self) -> str:
        return f"DomainError({self.key!r}, {self.params!r})"
