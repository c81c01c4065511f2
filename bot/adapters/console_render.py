"""How the console draws things: messages, case cards, buttons and forms, as lines of text.

Pure functions from values to lines; the adapter and the session decide where they go.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

from bot.flows.effects import Button, Card, Form, FormField

BOT_NAME = "codev"
WIDTH = 100


def block(prefix: str, text: str, width: int = WIDTH) -> list[str]:
    """`text` after `prefix`, wrapped before `width`, its later lines aligned under the first."""
    pad = " " * len(prefix)
    room = max(width - len(prefix), 40)
    wrapped: list[str] = []
    for line in text.splitlines() or [""]:
        # Keep a bullet's continuation under its text rather than under the bullet.
        hang = " " * (len(line) - len(line.lstrip(" •-*"))) if line.lstrip().startswith(("•", "- ", "* ")) else ""
        pieces = textwrap.wrap(
            line,
            room,
            subsequent_indent=hang,
            break_long_words=False,
            break_on_hyphens=False,
            drop_whitespace=True,
        )
        wrapped.extend(pieces or [""])
    first, *rest = wrapped
    return [prefix + first, *(pad + line if line else "" for line in rest)]


def button_label(button: Button) -> str:
    return f"[{button.action}] {button.label}"


def buttons_lines(indent: str, buttons: Sequence[Button], width: int = 100) -> list[str]:
    """Buttons side by side, wrapped before `width` characters."""
    lines: list[str] = []
    current = ""
    for button in buttons:
        label = button_label(button)
        if current and len(indent) + len(current) + 3 + len(label) > width:
            lines.append(indent + current)
            current = ""
        current = f"{current}   {label}" if current else label
    if current:
        lines.append(indent + current)
    return lines


def card_lines(card: Card, number: int | None) -> list[str]:
    """The case card as a framed block, with the way into its thread."""
    where = f"  (its thread: /in {number})" if number is not None else ""
    lines = [f"  +-- {card.title}{where}"]
    lines.extend(block("  |   ", card.headline))
    lines.extend(f"  |   {line.label}: {line.value}" for line in card.lines)
    if card.buttons:
        lines.extend(buttons_lines("  +-- ", card.buttons)[:1])
        lines.extend(buttons_lines("      ", card.buttons)[1:])
    else:
        lines.append("  +--")
    return lines


def card_changes(before: Card | None, card: Card, label: str) -> list[str]:
    """An updated card in brief: only the lines that changed, and the buttons if they did."""
    previous = {line.label: line.value for line in before.lines} if before else {}
    changed = [f"{line.label}: {line.value}" for line in card.lines if previous.get(line.label) != line.value]
    summary = " · ".join(changed) if changed else "no visible change"
    lines = block(f"    {label} | card updated: ", summary)
    if before is None or before.buttons != card.buttons:
        if card.buttons:
            lines.extend(buttons_lines(" " * (len(label) + 7), card.buttons))
        else:
            lines.append(" " * (len(label) + 7) + "(no more buttons)")
    return lines


# --- forms -------------------------------------------------------------------------------


def _choice_text(field: FormField) -> str:
    shown = []
    for value, label in field.options:
        same = label.casefold() == value.casefold() or label.casefold().startswith(value.casefold())
        shown.append(label if same else f"{value} = {label}")
    return " | ".join(shown)


def form_intro(form: Form, user: str) -> list[str]:
    return [
        f"(form for {user}) {form.title}",
        "    Answer field by field. Long answers take several lines and end with a line holding",
        "    only '.'; an empty line skips an optional field; /cancel gives up.",
    ]


def field_hint(field: FormField) -> list[str]:
    """A line shown before a field's prompt, when it has choices to pick from."""
    if not field.options:
        return []
    default = f"  (empty for {_label_of(field, field.initial)})" if field.initial else ""
    return block("    choose one: ", f"{_choice_text(field)}{default}")


def field_prompt(field: FormField) -> str:
    notes = []
    if field.long:
        notes.append("end with .")
    if not field.required:
        notes.append("optional")
    if field.initial and not field.options:
        notes.append(f"empty for {field.initial!r}")
    note = f" ({', '.join(notes)})" if notes else ""
    return f"  {field.label}{note}: "


CONTINUATION_PROMPT = "  ...: "


def _label_of(field: FormField, value: str) -> str:
    return next((label for option, label in field.options if option == value), value)


def choice_value(field: FormField, answer: str) -> str | None:
    """The option `answer` names, by value or by label (any case); None if it names none."""
    wanted = answer.strip().casefold()
    for value, label in field.options:
        if wanted in (value.casefold(), label.casefold()):
            return value
    return None


def joined(lines: Iterable[str]) -> str:
    return "\n".join(lines)
