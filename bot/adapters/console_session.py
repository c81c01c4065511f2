"""A console chat session: typed lines in, the real Codev service, storage and outbox behind.

Each line is one person's act in the circle's channel (`#circle`, workspace `console`): a
`/codev` command, a reply in a case's thread, a button press or a form's field. After each
act the dispatcher delivers every row that is due, through the `ConsoleAdapter`, so what is
printed follows what was typed, in order. Time is a `ManualClock` that only `/time` moves;
moving it fires the engine's deadlines and reminders at their due times, in order.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TextIO

from bot.adapters.console_adapter import PLATFORM, ConsoleAdapter, Thread
from bot.adapters.console_clock import ManualClock, parse_span
from bot.adapters.console_forms import FormFiller
from bot.adapters.console_render import form_intro
from bot.bootstrap import App
from bot.flows.card import build_card
from bot.incoming import ButtonPress, FormSubmission, Incoming, Origin, Outcome, Payload, SlashCommand, ThreadReply
from bot.storage.outbox import Outbox
from bot.storage.uow import UnitOfWork

WORKSPACE = "console"
CHANNEL = "#circle"
_CASE_NUMBER = re.compile(r"^#?(\d{1,6})$")
_MAX_TIMER_ROUNDS = 1_000
CONTINUATION = "  ...> "

HELP = """\
(console commands)
  /as NAME ["Display Name"] [Time/Zone]   act as this person from now on
  /codev …                                a Codev command, e.g. /codev setup "Our circle", /codev join
  /in N text…                             reply in case N's thread
  /in N   then plain lines                keep replying in case N's thread, until /out
  … \\                                     end a line with \\ to go on writing on the next one
  /press ACTION [N] [value]               press a button by its name ([ACTION] on cards and messages)
  /time +2d | +36h | +30m                 let time pass: deadlines and reminders come due
  /cancel                                 give up the form being filled
  /help                                   this help; /codev help is the bot's own
  /quit                                   leave (Ctrl-D too)"""


@dataclass(frozen=True, slots=True)
class Person:
    user_id: str
    display_name: str
    timezone: str | None = None


class ConsoleSession:
    def __init__(
        self,
        app: App,
        adapter: ConsoleAdapter,
        clock: ManualClock,
        out: TextIO,
        *,
        user: str = "alice",
        echo: bool = False,
    ) -> None:
        self._app = app
        self._adapter = adapter
        self._clock = clock
        self._out = out
        self._echo = echo
        self._people: dict[str, Person] = {}
        self._person = self._person_named(user)
        self._thread: Thread | None = None  # the thread plain lines go to, after /in N
        self._form: FormFiller | None = None
        self._continued: list[str] | None = None  # lines of an input ending with a backslash
        self._time_travel_refusal: str | None = None
        self._commands: dict[str, Callable[[list[str], str], Awaitable[None]]] = {
            "/as": self._as,
            "/codev": self._codev,
            "/in": self._in,
            "/out": self._leave_thread,
            "/press": self._press,
            "/time": self._time,
            "/help": self._help,
        }

    @property
    def user(self) -> str:
        return self._person.user_id

    async def start(self) -> None:
        """Pick up the circle's threads from storage (a console run before this one)."""
        async with UnitOfWork(self._app.sessions) as uow:
            circle = await uow.circles.get_by_channel(PLATFORM, WORKSPACE, CHANNEL)
            if circle is not None:
                for case in await uow.cases.list_for_circle(circle.id, active_only=False):
                    ref = await uow.cases.thread_ref(case.id)
                    if ref is not None:
                        self._adapter.remember_thread(ref, case.number, build_card(circle, case))
            elsewhere = sorted({c.platform for c in await uow.circles.list_all() if c.platform != PLATFORM})
        if elsewhere:
            # Timers are platform-free: moving this clock would fire theirs early.
            self._time_travel_refusal = (
                f"(/time is off: this database also holds {', '.join(elsewhere)} circles, whose "
                "deadlines would fire early. Point DATABASE_URL at a database of its own to use it.)"
            )

    def prompt(self) -> str:
        if self._form is not None:
            return self._form.prompt()
        if self._continued is not None:
            return CONTINUATION
        where = f" (case {self._thread.number})" if self._thread else ""
        return f"{self.user}{where}> "

    async def feed(self, line: str) -> bool:
        """Act on one typed line; False when the person asked to quit."""
        if self._echo:
            self._out.write(f"{self.prompt()}{line}\n")
        if self._form is not None:
            if line.strip() == "/quit":
                return False
            await self._fill(line)
            return True
        if line.endswith("\\"):  # continued on the next line, as in a shell
            self._continued = [*(self._continued or []), line[:-1].rstrip()]
            return True
        if self._continued is not None:
            line, self._continued = "\n".join([*self._continued, line]), None
        command, _, rest = line.strip().partition(" ")
        if command == "/quit":
            return False
        if not line.strip():
            return True
        if command in self._commands:
            await self._commands[command](_words(rest), rest.strip())
        elif command.startswith("/"):
            self._adapter.say(f"(unknown console command {command}; /help lists them)")
        elif self._thread is not None:
            await self._reply(self._thread, line.strip())
        else:
            self._adapter.say(
                f"(a message in {CHANNEL}; codev reads case threads and /codev commands: "
                "/in N text replies in case N's thread)"
            )
        return True

    # --- console commands --------------------------------------------------------------

    async def _help(self, words: list[str], rest: str) -> None:
        self._adapter.say(HELP)

    async def _as(self, words: list[str], rest: str) -> None:
        if not words:
            self._adapter.say(f"(you are {self.user}, shown as {self._person.display_name})")
            return
        user_id = words[0].lstrip("@")
        known = self._person_named(user_id)
        name = words[1] if len(words) > 1 else known.display_name
        timezone = words[2] if len(words) > 2 else known.timezone
        self._person = self._people[user_id] = Person(user_id, name, timezone)
        self._thread = None

    async def _codev(self, words: list[str], rest: str) -> None:
        await self._act(SlashCommand(rest), self._thread)

    async def _in(self, words: list[str], rest: str) -> None:
        number, _, text = rest.partition(" ")
        found = _CASE_NUMBER.match(number)
        if not found:
            self._adapter.say("(which case? /in N text… replies in case N's thread)")
            return
        thread = self._thread_or_say(int(found.group(1)))
        if thread is None:
            return
        if text.strip():
            await self._reply(thread, text.strip())
            return
        self._thread = thread
        self._adapter.say(f"(in case {thread.number}'s thread: plain lines are replies there; /out leaves it)")

    async def _leave_thread(self, words: list[str], rest: str) -> None:
        self._thread = None

    async def _press(self, words: list[str], rest: str) -> None:
        if not words:
            self._adapter.say("(press what? /press ACTION [case number] [value])")
            return
        action, more = words[0], words[1:]
        thread: Thread | None = None
        if more and _CASE_NUMBER.match(more[0]):
            thread = self._thread_or_say(int(more[0].lstrip("#")))
            if thread is None:
                return
            more = more[1:]
        value = " ".join(more) or None
        scope = thread or self._thread
        button = self._adapter.find_button(self.user, action, scope.case_id if scope else None, value)
        if button is None and thread is None:
            button = self._adapter.find_button(self.user, action, None, value)
        if button is None:
            sight = ", ".join(self._adapter.buttons_in_sight(self.user)) or "none"
            self._adapter.say(f"(no [{action}] button in sight for {self.user}; in sight: {sight})")
            return
        pressed = ButtonPress(button.action, button.case_id, value if value is not None else button.value)
        where = self._adapter.thread_of(button.case_id) if button.case_id else None
        await self._act(pressed, where)

    async def _time(self, words: list[str], rest: str) -> None:
        span = parse_span(rest)
        if span is None:
            self._adapter.say("(how long? /time +2d, /time +36h or /time +30m)")
            return
        if self._time_travel_refusal:
            self._adapter.say(self._time_travel_refusal)
            return
        target = self._clock() + span
        self._adapter.say(f"(time passes: {rest.strip()}, it is now {target:%a %Y-%m-%d %H:%M} UTC)")
        outbox = Outbox(self._app.sessions)
        for _ in range(_MAX_TIMER_ROUNDS):
            due = await outbox.next_due_at(platforms=(PLATFORM,))
            if due is None or due > target:
                break
            self._clock.move_to(due)  # each timer fires at its own time, in order
            await self._app.dispatcher.run_once()
        self._clock.move_to(target)
        await self._app.dispatcher.run_once()

    # --- acting in the circle ----------------------------------------------------------

    async def _reply(self, thread: Thread, text: str) -> None:
        await self._act(ThreadReply(text, self._adapter.new_ref()), thread)

    async def _fill(self, line: str) -> None:
        assert self._form is not None
        if line.strip() == "/cancel":
            self._form = None
            self._adapter.say("(form cancelled: nothing was sent)")
            return
        step = self._form.feed(line)
        self._adapter.say(*step.lines)
        if step.complete:
            form, self._form = self._form, None
            submission = FormSubmission(form.form.form_id, form.values, form.form.case_id)
            thread = self._adapter.thread_of(form.form.case_id) if form.form.case_id else self._thread
            await self._act(submission, thread)

    async def _act(self, payload: Payload, thread: Thread | None) -> None:
        person = self._person
        origin = Origin(
            PLATFORM,
            WORKSPACE,
            CHANNEL,
            person.user_id,
            person.display_name,
            thread_ref=thread.ref if thread else None,
            timezone=person.timezone,
        )
        outcome = await self._app.codev.handle(Incoming(origin, payload))
        # What everyone sees first, then what only the actor does (it reads in that order).
        await self._app.dispatcher.run_once()
        self._show(outcome, thread)

    def _show(self, outcome: Outcome, thread: Thread | None) -> None:
        for notice in outcome.notices:
            self._adapter.show_notice(self.user, notice, thread.case_id if thread else None)
        if outcome.form is not None:
            self._form = FormFiller(outcome.form)
            self._adapter.say(*form_intro(outcome.form, self.user), *self._form.first_hint())

    # --- helpers -----------------------------------------------------------------------

    def _person_named(self, user_id: str) -> Person:
        known = self._people.get(user_id)
        if known is None:
            known = self._people[user_id] = Person(user_id, user_id.capitalize())
        return known

    def _thread_or_say(self, number: int) -> Thread | None:
        thread = self._adapter.thread_numbered(number)
        if thread is None:
            cases = ", ".join(str(n) for n in self._adapter.case_numbers()) or "none yet"
            self._adapter.say(f"(there is no case {number} here; cases: {cases})")
        return thread


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()
