"""Persistent components: buttons that work after a restart, and forms as modal pages.

Buttons are `DynamicItem`s: discord.py matches an incoming custom id against the template
and rebuilds the item from it, so no view needs to be in memory when a months-old card is
pressed. Forms longer than a modal's five fields are asked in steps; the steps' answers wait
in memory (a restart in the middle asks the member to open the form again; a page left open
across it is answered with what was typed in it, see Interactions.lost_form).
"""

from __future__ import annotations

import re
import secrets
import time
import weakref
from dataclasses import dataclass, field
from typing import Any, Protocol

import discord

from bot.adapters.discord import ids
from bot.adapters.discord.render import MAX_INPUT, form_pages, input_spec, modal_title, read_choice, shown_value
from bot.flows.effects import Button, Form
from bot.incoming import Origin

FORM_KEPT_FOR = 3600.0  # seconds a form in several steps waits for its next step
MODAL_TIMEOUT = 900.0  # seconds discord.py keeps a page's modal; later, Interactions.lost_form takes it


class Interactions(Protocol):
    """What the components call back into (bot.adapters.discord.translate.Interactions)."""

    async def press(self, interaction: discord.Interaction[Any], press: ids.Press) -> None: ...

    async def form_button(self, interaction: discord.Interaction[Any], op: str, token: str) -> None: ...

    async def form_page(
        self, interaction: discord.Interaction[Any], token: str, page: int, values: dict[str, str]
    ) -> None: ...


_HANDLERS: weakref.WeakKeyDictionary[discord.Client, Interactions] = weakref.WeakKeyDictionary()


def register(client: discord.Client, handler: Interactions) -> None:
    _HANDLERS[client] = handler


def _handler(interaction: discord.Interaction[Any]) -> Interactions:
    return _HANDLERS[interaction.client]


class ActionButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=ids.TEMPLATE):
    """A button of a card or private message: `cv:<action>:<case>:<value>[:<place>]`."""

    def __init__(self, press: ids.Press, label: str = "", primary: bool = False) -> None:
        style = discord.ButtonStyle.primary if primary else discord.ButtonStyle.secondary
        super().__init__(discord.ui.Button(label=label or press.action, style=style, custom_id=ids.custom_id(press)))
        self.press = press

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ActionButton:
        return cls(ids.decode(match["body"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _handler(interaction).press(interaction, self.press)


class FormButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=ids.FORM_TEMPLATE):
    """Continue a form in steps (`c`), send it as it is (`s`), or open one held back (`o`)."""

    def __init__(self, op: str, token: str, label: str = "", primary: bool = True) -> None:
        style = discord.ButtonStyle.primary if primary else discord.ButtonStyle.secondary
        super().__init__(discord.ui.Button(label=label or op, style=style, custom_id=ids.form_button_id(op, token)))
        self.op, self.token = op, token

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FormButton:
        return cls(match["op"], match["token"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _handler(interaction).form_button(interaction, self.op, self.token)


def action_view(buttons: tuple[Button, ...]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for button in buttons[:25]:
        press = ids.Press(button.action, button.case_id, button.value)
        view.add_item(ActionButton(press, button.label[:80], button.primary))
    return view


def form_view(*buttons: FormButton) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for button in buttons:
        view.add_item(button)
    return view


# --- forms -----------------------------------------------------------------------------------


@dataclass(slots=True)
class PendingForm:
    """A form opened for one member: its pages, the answers so far, and where it was asked."""

    form: Form
    origin: Origin
    language: str
    values: dict[str, str] = field(default_factory=dict)
    since: float = field(default_factory=time.monotonic)
    next_page: int = 0  # the page its Continue button opens

    @property
    def pages(self) -> list[tuple[Any, ...]]:
        return form_pages(self.form)

    def take(self, page: int, typed: dict[str, str]) -> None:
        for spec in self.pages[page]:
            value = typed.get(spec.name, "")
            self.values[spec.name] = read_choice(spec, value) if spec.options and value.strip() else value


class PendingForms:
    def __init__(self) -> None:
        self._held: dict[str, PendingForm] = {}

    def hold(self, pending: PendingForm) -> str:
        now = time.monotonic()
        for token in [k for k, v in self._held.items() if now - v.since > FORM_KEPT_FOR]:
            del self._held[token]
        token = secrets.token_hex(8)
        self._held[token] = pending
        return token

    def get(self, token: str) -> PendingForm | None:
        return self._held.get(token)

    def drop(self, token: str) -> PendingForm | None:
        return self._held.pop(token, None)


_FORM_PAGE = re.compile(r"^cvm:([0-9a-f]+):(\d+):")


def form_token(custom_id: str) -> str | None:
    """The held form a modal page's custom id names (see FormModal), if it is one."""
    found = _FORM_PAGE.match(custom_id)
    return found.group(1) if found else None


def form_page_number(custom_id: str) -> int:
    """The page of its form a modal page's custom id names (0 if it names none)."""
    found = _FORM_PAGE.match(custom_id)
    return int(found.group(2)) if found else 0


class FormModal(discord.ui.Modal):
    """One page of a form; its submission goes back to the handler with the typed values."""

    def __init__(self, pending: PendingForm, token: str, page: int, timeout: float = MODAL_TIMEOUT) -> None:
        pages = pending.pages
        super().__init__(
            title=modal_title(pending.form, page, len(pages)),
            timeout=timeout,
            custom_id=f"cvm:{token}:{page}:{secrets.token_hex(4)}",
        )
        self._token, self._page = token, page
        self._inputs: list[discord.ui.TextInput[FormModal]] = []
        for spec in pages[page]:
            options = input_spec(spec, pending.language)
            typed = pending.values.get(spec.name)
            if typed:  # a page opened again shows what was typed in it
                options["default"] = shown_value(spec, typed)[:MAX_INPUT]
            text_input: discord.ui.TextInput[FormModal] = discord.ui.TextInput(**options)
            self._inputs.append(text_input)
            self.add_item(text_input)

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        values = {str(text_input.custom_id): text_input.value for text_input in self._inputs}
        await _handler(interaction).form_page(interaction, self._token, self._page, values)
