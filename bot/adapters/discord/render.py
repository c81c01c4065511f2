"""How effects look on Discord: messages split within limits, case cards as embeds, buttons as
components, forms as modal pages. Pure functions of values; nothing here talks to Discord.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.adapters.discord import ids
from bot.flows.catalog import t
from bot.flows.effects import Button, Card, Form, FormField
from bot.flows.model import Phase

MAX_CONTENT = 2000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FIELDS = 25
MAX_EMBED = 6000
MAX_BUTTON_LABEL = 80
BUTTONS_PER_ROW = 5
MAX_ROWS = 5
MAX_THREAD_NAME = 100
MAX_MODAL_FIELDS = 5
MAX_MODAL_TITLE = 45
MAX_INPUT_LABEL = 45
MAX_PLACEHOLDER = 100
MAX_INPUT = 4000
MAX_TAG_NAME = 20

NO_MENTIONS = discord.AllowedMentions.none()


def split_text(text: str, limit: int = MAX_CONTENT) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at a paragraph, line or word end
    when one is near; joined back they give the text, less the whitespace at the cuts."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    pieces.append(rest)
    return [piece for piece in pieces if piece] or [""]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def card_embed(card: Card) -> discord.Embed:
    """The case card within Discord's embed limits (6,000 characters in all)."""
    title = _clip(card.title, MAX_TITLE)
    fields = [
        (_clip(line.label, MAX_FIELD_NAME) or "—", _clip(line.value, MAX_FIELD_VALUE) or "—")
        for line in card.lines[:MAX_FIELDS]
    ]
    budget = MAX_EMBED - len(title) - 200  # the fields never squeeze the question below 200
    if sum(len(name) + len(value) for name, value in fields) > budget:
        share = budget // max(1, len(fields))
        fields = [(name[: share // 4], _clip(value, max(1, share - len(name[: share // 4])))) for name, value in fields]
    room = MAX_EMBED - len(title) - sum(len(name) + len(value) for name, value in fields)
    embed = discord.Embed(title=title, description=_clip(card.headline, max(1, min(MAX_DESCRIPTION, room))))
    for name, value in fields:
        embed.add_field(name=name, value=value, inline=True)
    return embed


def thread_name(card: Card) -> str:
    return _clip(card.title, MAX_THREAD_NAME)


def _button_json(button: Button, place: tuple[str, str] | None) -> dict[str, Any]:
    press = ids.Press(button.action, button.case_id, button.value, *(place or (None, None)))
    return {
        "type": 2,
        "style": 1 if button.primary else 2,
        "label": _clip(button.label, MAX_BUTTON_LABEL),
        "custom_id": ids.custom_id(press),
    }


def components(buttons: tuple[Button, ...], place: tuple[str, str] | None = None) -> list[dict[str, Any]]:
    """Action rows of buttons (5 per row, 5 rows); `place` = (guild, channel) for DMs."""
    shown = buttons[: BUTTONS_PER_ROW * MAX_ROWS]
    return [
        {"type": 1, "components": [_button_json(b, place) for b in shown[i : i + BUTTONS_PER_ROW]]}
        for i in range(0, len(shown), BUTTONS_PER_ROW)
    ]


# --- forms -------------------------------------------------------------------------------


def form_pages(form: Form) -> list[tuple[FormField, ...]]:
    """A modal holds 5 fields: longer forms ask the required fields first, the optional after."""
    if len(form.fields) <= MAX_MODAL_FIELDS:
        return [form.fields]
    required = [f for f in form.fields if f.required]
    optional = [f for f in form.fields if not f.required]
    pages: list[tuple[FormField, ...]] = []
    for group in (required, optional):
        for i in range(0, len(group), MAX_MODAL_FIELDS):
            pages.append(tuple(group[i : i + MAX_MODAL_FIELDS]))
    return pages


def modal_title(form: Form, page: int, pages: int) -> str:
    step = f" ({page + 1}/{pages})" if pages > 1 else ""
    return _clip(form.title, MAX_MODAL_TITLE - len(step)) + step


def input_spec(field: FormField, language: str) -> dict[str, Any]:
    """Keyword arguments of a `discord.ui.TextInput` for `field`. Choices become typed text,
    shown by their labels ("1. Meet each senior", "Problème"), which `read_choice` reads back:
    a bare value ("1", "problem") would not say what it stands for."""
    placeholder = None
    if field.options:
        choices = ", ".join(label for _value, label in field.options)
        placeholder = _clip(t(language, "discord.choices", choices=choices), MAX_PLACEHOLDER)
    elif len(field.label) > MAX_INPUT_LABEL:  # what the cut label loses (a date's format) shows in the box
        placeholder = _clip(field.label, MAX_PLACEHOLDER)
    return {
        "label": _clip(field.label, MAX_INPUT_LABEL),
        "custom_id": field.name,
        "style": discord.TextStyle.paragraph if field.long else discord.TextStyle.short,
        "required": field.required,
        "max_length": min(field.max_length, MAX_INPUT),
        "default": shown_value(field, field.initial)[:MAX_INPUT] or None,
        "placeholder": placeholder,
    }


def shown_value(field: FormField, value: str) -> str:
    """A field's value as its input shows it: a choice by its label."""
    return next((label for option, label in field.options if option == value), value)


def read_choice(field: FormField, typed: str) -> str:
    """The option a typed answer names (by value or label, any case), else the text as typed
    (the core then refuses it, listing the choices)."""
    wanted = typed.strip().casefold()
    for value, label in field.options:
        if wanted in (value.casefold(), label.casefold()):
            return value
    for value, label in field.options:  # "2. Talk to them" answered "2"
        if label.casefold().startswith(wanted) and wanted:
            return value
    return typed.strip()


# --- forum tags ----------------------------------------------------------------------------

_PHASE_NAMES: dict[str, tuple[Phase, str]] = {
    t(language, f"phase.{phase}").casefold(): (phase, language) for phase in Phase for language in ("en", "fr")
}


def phase_of(card: Card) -> tuple[Phase, str] | None:
    """The case's phase and the circle's language, read off the card's phase line."""
    for line in card.lines:
        found = _PHASE_NAMES.get(line.value.casefold())
        if found is not None:
            return found
    return None


def phase_tag_name(phase: Phase, language: str) -> str:
    return _clip(t(language, f"phase.{phase}"), MAX_TAG_NAME)


def phase_tag_names() -> frozenset[str]:
    return frozenset(phase_tag_name(phase, language) for phase in Phase for language in ("en", "fr"))
