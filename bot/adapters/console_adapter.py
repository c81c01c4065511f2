"""The console as a chat platform: effects in, lines of text out.

`ConsoleAdapter` is a `Deliverer` like the Slack and Discord adapters: the dispatcher hands
it one effect and its address, it renders it to a text stream and returns the id of the
message it created (`m17`), so a case card becomes the root of the case's thread.
It remembers what a person can see, as a chat client would: the case cards (and their
buttons) and each person's private messages, so a button can be pressed by its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TextIO

from bot.adapters.console_render import BOT_NAME, block, buttons_lines, card_changes, card_lines
from bot.flows.effects import (
    Button,
    Card,
    DirectMessage,
    Effect,
    Ephemeral,
    Notice,
    Post,
    Reply,
    SendFile,
    UpdateCard,
)
from bot.ports import Address, DeliveryError, Progress

PLATFORM = "console"
_REMEMBERED_PRIVATE = 50  # private messages kept per person for pressing their buttons
_FIRST_NUMBER = re.compile(r"\d+")
_REF_NUMBER = re.compile(r"^m(\d+)$")
EVERYONE = "*"  # buttons on a thread reply, which anyone in the channel can press


@dataclass(slots=True)
class Thread:
    """A case's thread as the console shows it: its root message and its current card."""

    case_id: str
    number: int
    ref: str
    card: Card


@dataclass(frozen=True, slots=True)
class Private:
    """A message only `user` sees (or EVERYONE), kept for the buttons it offers."""

    user: str
    case_id: str | None
    buttons: tuple[Button, ...]


class ConsoleAdapter:
    """Renders Post, Reply, DirectMessage, Ephemeral, UpdateCard and SendFile; refuses anything else."""

    platform: str = PLATFORM

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._last_ref = 0
        self._threads: dict[str, Thread] = {}  # by case id
        self._private: list[Private] = []

    # --- Deliverer ---------------------------------------------------------------------

    async def deliver(self, effect: Effect, address: Address, progress: Progress | None = None) -> str | None:
        """Each effect is one write to the terminal: there is no part-way to resume from."""
        match effect:
            case Post(text=text, card=card):
                ref = self.new_ref()
                self._write(block(f"{address.channel_id}  {BOT_NAME}: ", text))
                if card is not None:
                    thread = self._open_thread(card, ref)
                    self._write(card_lines(card, thread.number))
                return ref
            case Reply(case_id=case_id, text=text, buttons=buttons):
                prefix = f"    {self._label(case_id, address.thread_ref)} | {BOT_NAME}: "
                self._write(block(prefix, text))
                self._write(buttons_lines(" " * len(prefix), buttons))
                self._remember(EVERYONE, case_id, buttons)
                return self.new_ref()
            case DirectMessage(user_id=user, text=text, buttons=buttons, case_id=case_id):
                self._show_private(f"(DM to {user}) {BOT_NAME}: ", user, text, buttons, case_id)
                return self.new_ref()
            case Ephemeral(user_id=user, text=text, buttons=buttons, case_id=case_id):
                self._show_private(self._only_sees(user, case_id), user, text, buttons, case_id)
                return None
            case UpdateCard(card=card):
                known = self._threads.get(card.case_id)
                before = known.card if known else None
                if known is not None:
                    known.card = card
                self._write(card_changes(before, card, self._label(card.case_id, address.thread_ref)))
                return None
            case SendFile(user_id=user, filename=filename, content=content, text=text):
                self._write(block(f"(DM to {user}) {BOT_NAME}: ", text))
                if content != text:
                    self._write([f"    (file {filename}, {len(content)} characters)"])
                    self._write(["    | " + line for line in content.splitlines()])
                return self.new_ref()
            case _:
                raise DeliveryError(f"the console cannot show a {effect.kind!r} effect", permanent=True)

    # --- what people see ---------------------------------------------------------------

    def show_notice(self, user: str, notice: Notice, case_id: str | None = None) -> None:
        """An answer only the person who acted sees (help, status, a refusal)."""
        self._show_private(self._only_sees(user, case_id), user, notice.text, notice.buttons, case_id)

    def say(self, *lines: str) -> None:
        """The console's own remarks (not the bot's): shown in parentheses by convention."""
        self._write(list(lines))

    def new_ref(self) -> str:
        self._last_ref += 1
        return f"m{self._last_ref}"

    def remember_thread(self, ref: str, number: int, card: Card) -> None:
        """A thread posted before this console started (its messages live in the database)."""
        self._threads[card.case_id] = Thread(card.case_id, number, ref, card)
        found = _REF_NUMBER.match(ref)
        if found:
            self._last_ref = max(self._last_ref, int(found.group(1)))

    def thread_numbered(self, number: int) -> Thread | None:
        return next((t for t in self._threads.values() if t.number == number), None)

    def thread_of(self, case_id: str) -> Thread | None:
        return self._threads.get(case_id)

    def case_numbers(self) -> list[int]:
        return sorted(thread.number for thread in self._threads.values())

    def find_button(self, user: str, action: str, case_id: str | None, value: str | None) -> Button | None:
        """The button `user` means: on their latest private message offering it, else on a card.

        With `case_id`, only buttons of that case; with `value`, the button carrying it is
        preferred among several of one action (the signal buttons).
        """
        for private in reversed(self._private):
            if private.user not in (user, EVERYONE):
                continue
            found = _pick(private.buttons, action, case_id, value)
            if found is not None:
                return found
        for thread in sorted(self._threads.values(), key=lambda t: -t.number):
            found = _pick(thread.card.buttons, action, case_id, value)
            if found is not None:
                return found
        return None

    def buttons_in_sight(self, user: str) -> list[str]:
        seen: list[str] = []
        for private in reversed(self._private):
            if private.user in (user, EVERYONE):
                seen.extend(b.action for b in private.buttons)
        for thread in self._threads.values():
            seen.extend(f"{b.action} {thread.number}" for b in thread.card.buttons)
        return list(dict.fromkeys(seen))

    # --- inside ------------------------------------------------------------------------

    def _open_thread(self, card: Card, ref: str) -> Thread:
        # Cards are titled "Case 3: …" ("Cas 3 : …"): the first number is the case's.
        found = _FIRST_NUMBER.search(card.title)
        number = int(found.group()) if found else len(self._threads) + 1
        thread = Thread(card.case_id, number, ref, card)
        self._threads[card.case_id] = thread
        return thread

    def _label(self, case_id: str, thread_ref: str | None) -> str:
        thread = self._threads.get(case_id)
        if thread is not None:
            return f"case {thread.number}"
        return f"thread {thread_ref}" if thread_ref else "a case"

    def _only_sees(self, user: str, case_id: str | None) -> str:
        thread = self._threads.get(case_id) if case_id else None
        where = f", in case {thread.number}" if thread else ""
        return f"(only {user} sees{where}) "

    def _show_private(
        self, prefix: str, user: str, text: str, buttons: tuple[Button, ...], case_id: str | None
    ) -> None:
        self._write(block(prefix, text))
        self._write(buttons_lines("    ", buttons))
        self._remember(user, case_id, buttons)

    def _remember(self, user: str, case_id: str | None, buttons: tuple[Button, ...]) -> None:
        if buttons:
            self._private.append(Private(user, case_id, buttons))
            del self._private[:-_REMEMBERED_PRIVATE]

    def _write(self, lines: list[str]) -> None:
        for line in lines:
            self._out.write(line.rstrip() + "\n")
        self._out.flush()


def _pick(buttons: tuple[Button, ...], action: str, case_id: str | None, value: str | None) -> Button | None:
    candidates = [b for b in buttons if b.action == action and (case_id is None or b.case_id == case_id)]
    if value is not None:
        exact = [b for b in candidates if b.value == value]
        if exact:
            return exact[0]
    return candidates[0] if candidates else None
