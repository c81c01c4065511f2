"""Filling a form in the terminal, one line at a time.

A `FormFiller` takes the lines a person types after a form opened and turns them into the
values of its fields, in order: a short field is one line, a long one ends with a line
holding only `.`, an empty line skips an optional field (or takes the field's initial
value), and a choice takes an option's value or its label. Anything else is asked again.
The core validates the submission once more; this only spares people obvious retyping.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.adapters.console_render import CONTINUATION_PROMPT, choice_value, field_hint, field_prompt
from bot.flows.effects import Form, FormField

END_OF_LONG_TEXT = "."


@dataclass(slots=True)
class Step:
    """What one typed line did: lines to show, and whether the form is complete."""

    lines: list[str] = field(default_factory=list)
    complete: bool = False


class FormFiller:
    def __init__(self, form: Form) -> None:
        self.form = form
        self.values: dict[str, str] = {}
        self._index = 0
        self._long_lines: list[str] | None = None  # a long field's lines so far

    @property
    def current(self) -> FormField:
        return self.form.fields[self._index]

    def prompt(self) -> str:
        return CONTINUATION_PROMPT if self._long_lines is not None else field_prompt(self.current)

    def first_hint(self) -> list[str]:
        return field_hint(self.current)

    def feed(self, line: str) -> Step:
        current = self.current
        if self._long_lines is not None:
            if line.strip() == END_OF_LONG_TEXT:
                text, self._long_lines = "\n".join(self._long_lines).strip(), None
                return self._accept(text)
            self._long_lines.append(line.rstrip())
            return Step()
        if not line.strip() or (current.long and line.strip() == END_OF_LONG_TEXT):
            return self._empty()
        if current.options:
            chosen = choice_value(current, line)
            if chosen is None:
                return Step([f"    '{line.strip()}' is not one of the choices.", *field_hint(current)])
            return self._accept(chosen)
        if current.long:
            self._long_lines = [line.rstrip()]
            return Step()
        return self._accept(line.strip())

    def _empty(self) -> Step:
        current = self.current
        if current.initial:
            return self._accept(current.initial)
        if not current.required:
            return self._accept("")
        return Step([f"    {current.label} is required."])

    def _accept(self, value: str) -> Step:
        current = self.current
        if len(value) > current.max_length:
            return Step([f"    That is {len(value)} characters; {current.label} holds at most {current.max_length}."])
        if not value and current.required:
            return Step([f"    {current.label} is required."])
        self.values[current.name] = value
        self._index += 1
        if self._index == len(self.form.fields):
            return Step(complete=True)
        return Step(field_hint(self.current))
