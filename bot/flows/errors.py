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
        # The form field it is about, when only the caller knows (the plan form's actions
        # field holds every action its refusal may name): adapters show it beside that field.
        self.form_field: str | None = None

    def about(self, form_field: str) -> DomainError:
        """This refusal, shown beside the form field `form_field`."""
        self.form_field = form_field
        return self

    def __repr__(self) -> str:
        return f"DomainError({self.key!r}, {self.params!r})"
