"""Effects, cards and forms drawn as Block Kit, always within Slack's limits.

Limits (docs.slack.dev reference/block-kit): 50 blocks per message, 100 per modal or Home
tab; a section's text 3,000 characters, its fields 10 of 2,000; a header 150; a button's
text 75 and value 2,000; a modal's title, submit and close 24; private_metadata 3,000.
Long texts are split into several sections (and several messages past 50 blocks) at
paragraph, line or word boundaries, never inside an escape or a `<…>` mention.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.adapters.slack.escape import escape, plain
from bot.flows.effects import Button, Card, Form, FormField

Block = dict[str, Any]

MAX_SECTION = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_HEADER = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTONS = 25
MAX_OPTION_TEXT = 75
MAX_OPTIONS = 100
MAX_VIEW_TITLE = 24
MAX_LABEL = 2000
MAX_METADATA = 3000
MAX_INPUT = 3000
FALLBACK = 300  # the notification text beside blocks: a preview, never the whole message

ACTION_PREFIX = "codev:"
FORM_CALLBACK = "codev_form"
_UNFINISHED = re.compile(r"(&[a-z]{0,4}|<[^>]*)$")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_text(text: str, limit: int = MAX_SECTION) -> list[str]:
    """Pieces of at most `limit` characters that join back to `text` (whitespace aside)."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
            unfinished = _UNFINISHED.search(window)
            if unfinished:  # never cut an escape (&amp;) or a mention (<@U1>) in two
                cut = unfinished.start() or limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def text_sections(text: str) -> list[Block]:
    """Escaped text as mrkdwn sections of at most 3,000 characters each."""
    return [_section(piece) for piece in split_text(escape(text)) if piece] or [_section(" ")]


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


@dataclass(frozen=True, slots=True)
class Where:
    """What a button needs to name its circle when pressed from a DM or the Home tab."""

    channel_id: str
    thread_ref: str | None = None


def button_value(button: Button, where: Where) -> str:
    data = {"c": button.case_id, "v": button.value, "ch": where.channel_id, "t": where.thread_ref}
    return clip(json.dumps({k: v for k, v in data.items() if v}, separators=(",", ":")), 2000)


def read_button_value(value: str) -> dict[str, str]:
    try:
        data = json.loads(value)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def actions_blocks(buttons: Sequence[Button], where: Where) -> list[Block]:
    blocks: list[Block] = []
    for start in range(0, len(buttons), MAX_BUTTONS):
        elements = []
        for index, button in enumerate(buttons[start : start + MAX_BUTTONS], start=start):
            element: Block = {
                "type": "button",
                "action_id": f"{ACTION_PREFIX}{button.action}:{index}",
                "text": {"type": "plain_text", "text": clip(plain(button.label), MAX_BUTTON_TEXT)},
                "value": button_value(button, where),
            }
            if button.primary:
                element["style"] = "primary"
            elements.append(element)
        blocks.append({"type": "actions", "elements": elements})
    return blocks


def fallback_text(text: str) -> str:
    return clip(escape(" ".join(text.split())), FALLBACK) or " "


def message_batches(text: str, buttons: Sequence[Button] = (), *, where: Where) -> list[list[Block]]:
    """The blocks of one message, or of several when the text needs more than 50 blocks.
    Buttons go with the last message."""
    blocks = text_sections(text) if text.strip() else []
    tail = actions_blocks(buttons, where)
    batches = [blocks[i : i + MAX_BLOCKS] for i in range(0, len(blocks), MAX_BLOCKS)] or [[]]
    if len(batches[-1]) + len(tail) > MAX_BLOCKS:
        batches.append([])
    batches[-1].extend(tail)
    return batches


def card_blocks(card: Card, where: Where) -> list[Block]:
    """The case card: title, the client's question, where the case stands, its buttons."""
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(plain(card.title), MAX_HEADER)}}
    ]
    headline = text_sections(card.headline)
    fields = [
        {"type": "mrkdwn", "text": clip(f"*{escape(line.label)}*\n{escape(line.value)}", MAX_FIELD_TEXT)}
        for line in card.lines
    ]
    tail = actions_blocks(card.buttons, where)
    room = MAX_BLOCKS - len(blocks) - len(tail) - (len(fields) + MAX_FIELDS - 1) // MAX_FIELDS
    blocks.extend(headline[:room])
    blocks.extend({"type": "section", "fields": fields[i : i + MAX_FIELDS]} for i in range(0, len(fields), MAX_FIELDS))
    blocks.extend(tail)
    return blocks


def card_fallback(card: Card) -> str:
    return fallback_text(f"{card.title}: {card.headline}")


# --- modals ----------------------------------------------------------------------------


def _option(value: str, label: str) -> Block:
    return {"text": {"type": "plain_text", "text": clip(plain(label), MAX_OPTION_TEXT) or value}, "value": value}


def _input(field: FormField) -> Block:
    element: Block
    if field.options:
        options = [_option(value, label) for value, label in field.options[:MAX_OPTIONS]]
        element = {"type": "static_select", "action_id": "value", "options": options}
        initial = next((o for o in options if o["value"] == field.initial), None)
        if initial is not None:
            element["initial_option"] = initial
    else:
        element = {
            "type": "plain_text_input",
            "action_id": "value",
            "multiline": field.long,
            "max_length": min(field.max_length, MAX_INPUT),
        }
        if field.initial:
            element["initial_value"] = field.initial[:MAX_INPUT]
    return {
        "type": "input",
        "block_id": field.name,
        "optional": not field.required,
        "label": {"type": "plain_text", "text": clip(plain(field.label), MAX_LABEL)},
        "element": element,
    }


def modal(form: Form, where: Where, close: str, intro: str = "") -> Block:
    """A form as a modal; `intro` (escaped) shows above its fields."""
    intro_blocks = text_sections(intro)[:10] if intro.strip() else []
    metadata = {"f": form.form_id, "c": form.case_id, "ch": where.channel_id, "t": where.thread_ref}
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": {"type": "plain_text", "text": clip(plain(form.title), MAX_VIEW_TITLE)},
        "submit": {"type": "plain_text", "text": clip(plain(form.submit_label), MAX_VIEW_TITLE)},
        "close": {"type": "plain_text", "text": clip(close, MAX_VIEW_TITLE)},
        "private_metadata": json.dumps({k: v for k, v in metadata.items() if v}, separators=(",", ":"))[:MAX_METADATA],
        "blocks": intro_blocks + [_input(field) for field in form.fields[: MAX_VIEW_BLOCKS - len(intro_blocks)]],
    }


def read_view_values(state: Mapping[str, Any]) -> dict[str, str]:
    """A submitted modal's values by field name (block id), whatever the input type."""
    values: dict[str, str] = {}
    for block_id, actions in (state.get("values") or {}).items():
        for action in actions.values():
            if action.get("type") == "static_select":
                selected = action.get("selected_option") or {}
                values[block_id] = str(selected.get("value") or "")
            else:
                values[block_id] = str(action.get("value") or "")
    return values


def notice_blocks(texts: Iterable[str], buttons: Sequence[Button], where: Where) -> list[Block]:
    blocks: list[Block] = []
    for text in texts:
        blocks.extend(text_sections(text))
    blocks = blocks[: MAX_BLOCKS - (len(buttons) + MAX_BUTTONS - 1) // MAX_BUTTONS]
    return blocks + actions_blocks(buttons, where)
