"""The console adapter end to end: typed lines through the real service, storage and outbox."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio

from bot.adapters.console import CHANNEL, PLATFORM, WORKSPACE, ConsoleAdapter, ConsoleSession, ManualClock
from bot.bootstrap import App, build
from bot.config import DatabaseSettings, Settings, load_settings
from bot.flows.effects import SetTimer
from bot.flows.model import Case, Circle, Contribution, ContributionKind, Phase, TimerKind
from bot.ports import Address, DeliveryError
from bot.storage.uow import UnitOfWork

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # a Monday, 09:00 in Montreal

MEMBERS = (
    '/as maya "Maya Roy" America/Montreal',
    '/codev setup "Leads circle" en America/Montreal',
    *(
        line
        for who in ("alice", "bob", "carol", "dan")
        for line in (f"/as {who}", "/codev join", "/press accept_charter")
    ),
)
CASE_FORM = (
    "/as carol",
    "/codev submit",
    "problem",
    "Rebuilding trust",
    "My team merged with another.",
    "Two seniors bypass me.",
    ".",
    "",
    ".",
    "How do I earn their trust?",
    ".",
)


def settings_for(database_url: str) -> Settings:
    return dataclasses.replace(load_settings(env_file=None), database=DatabaseSettings(url=database_url))


@dataclasses.dataclass
class Console:
    app: App
    session: ConsoleSession
    out: io.StringIO

    async def type(self, *lines: str) -> str:
        """Feed the lines; what the console printed meanwhile."""
        start = len(self.out.getvalue())
        for line in lines:
            await self.session.feed(line)
        return self.out.getvalue()[start:]

    async def circle_and_case(self) -> tuple[Circle, Case]:
        async with UnitOfWork(self.app.sessions) as uow:
            circle = await uow.circles.get_by_channel(PLATFORM, WORKSPACE, CHANNEL)
            assert circle is not None
            (case,) = await uow.cases.list_for_circle(circle.id, active_only=False)
        return circle, case

    async def contributions(self) -> list[Contribution]:
        _, case = await self.circle_and_case()
        async with UnitOfWork(self.app.sessions) as uow:
            return await uow.contributions.list_for_case(case.id)


async def open_console(database_url: str, out: io.StringIO) -> tuple[App, ConsoleSession]:
    clock = ManualClock(START)
    adapter = ConsoleAdapter(out)
    app = await build(settings_for(database_url), clock=clock, deliverers={PLATFORM: adapter}, worker_id="test")
    session = ConsoleSession(app, adapter, clock, out)
    await session.start()
    return app, session


@pytest_asyncio.fixture
async def console(database_url: str) -> AsyncIterator[Console]:
    out = io.StringIO()
    app, session = await open_console(database_url, out)
    yield Console(app, session, out)
    await app.close()


@pytest_asyncio.fixture
async def with_case(console: Console) -> Console:
    """A circle of a facilitator and four members, and Carol's case 1 in clarification."""
    await console.type(*MEMBERS, *CASE_FORM)
    return console


@pytest.mark.asyncio
async def test_a_slash_command_posts_in_the_channel_as_the_person_typing(console: Console) -> None:
    shown = await console.type('/as maya "Maya Roy"', '/codev setup "Leads circle" en UTC')
    assert "#circle  codev: Maya Roy set up the co-development circle *Leads circle* here." in shown


@pytest.mark.asyncio
async def test_switching_user_makes_the_next_lines_theirs(console: Console) -> None:
    await console.type("/as maya", '/codev setup "Leads circle"')
    shown = await console.type("/as bob", "/codev join")
    assert console.session.prompt() == "bob> "
    assert "(only bob sees) To join, accept the circle's charter:" in shown


@pytest.mark.asyncio
async def test_a_private_button_is_pressed_by_its_action_name(console: Console) -> None:
    await console.type("/as maya", '/codev setup "Leads circle"', "/as bob", "/codev join")
    shown = await console.type("/press accept_charter")
    assert "#circle  codev: Welcome to Bob, who accepted the charter." in shown


@pytest.mark.asyncio
async def test_a_form_is_filled_line_by_line_and_opens_the_case(with_case: Console) -> None:
    _, case = await with_case.circle_and_case()
    assert case.phase is Phase.CLARIFICATION
    assert case.expose.title == "Rebuilding trust"
    assert case.expose.context == "My team merged with another.\nTwo seniors bypass me."
    assert case.expose.stakes == ""
    assert case.expose.question == "How do I earn their trust?"


@pytest.mark.asyncio
async def test_the_case_card_is_shown_with_its_buttons_and_roots_the_thread(console: Console) -> None:
    shown = await console.type(*MEMBERS, *CASE_FORM)
    assert "+-- Case 1: Rebuilding trust  (its thread: /in 1)" in shown
    assert "[no_more_questions] No more questions" in shown
    assert "    case 1 | codev: *Phase 2: clarification*" in shown


@pytest.mark.asyncio
async def test_a_choice_field_accepts_an_options_label(console: Console) -> None:
    await console.type(*MEMBERS, "/as carol", "/codev submit")
    await console.type("Concern", "Title", "Context", ".", "", "", "Question?", ".")
    _, case = await console.circle_and_case()
    assert case.expose.kind == "concern"


@pytest.mark.asyncio
async def test_a_choice_that_names_no_option_is_asked_again(console: Console) -> None:
    await console.type(*MEMBERS, "/as carol", "/codev submit")
    shown = await console.type("a worry")
    assert "'a worry' is not one of the choices." in shown
    assert console.session.prompt() == "  Kind: "


@pytest.mark.asyncio
async def test_cancelling_a_form_sends_nothing(console: Console) -> None:
    await console.type(*MEMBERS, "/as carol", "/codev submit", "problem")
    shown = await console.type("/cancel")
    assert "(form cancelled: nothing was sent)" in shown
    assert console.session.prompt() == "carol> "


@pytest.mark.asyncio
async def test_a_thread_reply_is_recorded_as_a_contribution(with_case: Console) -> None:
    await with_case.type("/as alice", "/in 1 What did your manager say?")
    recorded = (await with_case.contributions())[-1]
    assert (recorded.author_id, recorded.kind) == ("alice", ContributionKind.QUESTION)
    assert recorded.text == "What did your manager say?"
    assert recorded.message_ref is not None


@pytest.mark.asyncio
async def test_plain_lines_after_in_are_replies_in_that_thread(with_case: Console) -> None:
    await with_case.type("/as carol", "/in 1", "My manager listens.", "/out")
    recorded = (await with_case.contributions())[-1]
    assert (recorded.author_id, recorded.kind, recorded.text) == (
        "carol",
        ContributionKind.ANSWER,
        "My manager listens.",
    )
    assert with_case.session.prompt() == "carol> "


@pytest.mark.asyncio
async def test_a_line_ending_with_a_backslash_goes_on_in_the_same_reply(with_case: Console) -> None:
    await with_case.type("/as alice", "/in 1 First line, \\", "and why?")
    assert (await with_case.contributions())[-1].text == "First line,\nand why?"


@pytest.mark.asyncio
async def test_a_button_on_the_card_acts_on_its_case(with_case: Console) -> None:
    shown = await with_case.type("/as alice", "/press no_more_questions 1")
    assert "case 1 | card updated: Progress: 1/3 consultants have no more questions" in shown
    _, case = await with_case.circle_and_case()
    assert case.finished == frozenset({"alice"})


@pytest.mark.asyncio
async def test_the_advice_nudge_button_keeps_the_advice_with_its_value(with_case: Console) -> None:
    nudged = await with_case.type("/as dan", "/in 1 You should talk to HR.")
    assert "(only dan sees, in case 1) That reads like advice" in nudged
    kept = await with_case.type("/press keep_for_consultation")
    assert "(DM to dan) codev: Kept:" in kept
    _, case = await with_case.circle_and_case()
    assert [parked.kept for parked in case.parked] == [True]


@pytest.mark.asyncio
async def test_a_refusal_is_shown_only_to_the_person_who_acted(with_case: Console) -> None:
    shown = await with_case.type("/as bob", "/codev advance 1")
    assert shown.startswith("(only bob sees) ")
    assert "#circle" not in shown
    assert "case 1 |" not in shown
    _, case = await with_case.circle_and_case()
    assert case.phase is Phase.CLARIFICATION


@pytest.mark.asyncio
async def test_time_fires_a_reminder_only_to_those_who_have_not_acted(with_case: Console) -> None:
    await with_case.type("/as alice", "/press no_more_questions 1")
    shown = await with_case.type("/time +1d")
    assert "it is now Tue 2026-03-03 14:00 UTC" in shown
    reminded = {
        line.split(")")[0].removeprefix("(DM to ") for line in shown.splitlines() if "clarification ends" in line
    }
    assert reminded == {"bob", "dan"}


@pytest.mark.asyncio
async def test_time_past_a_deadline_moves_the_case_on(with_case: Console) -> None:
    shown = await with_case.type("/time +2d")
    assert "*Phase 3: contract*" in shown
    _, case = await with_case.circle_and_case()
    assert case.phase is Phase.CONTRACT


@pytest.mark.asyncio
async def test_an_unknown_case_is_answered_by_the_console(with_case: Console) -> None:
    shown = await with_case.type("/in 7 Hello?")
    assert shown == "(there is no case 7 here; cases: 1)\n"


@pytest.mark.asyncio
async def test_a_button_nobody_offered_cannot_be_pressed(with_case: Console) -> None:
    shown = await with_case.type("/as alice", "/press endorse 1")
    assert shown.startswith("(no [endorse] button in sight for alice; in sight: ")


@pytest.mark.asyncio
async def test_a_later_console_finds_the_threads_of_an_earlier_one(with_case: Console, database_url: str) -> None:
    out = io.StringIO()
    app, session = await open_console(database_url, out)
    try:
        later = Console(app, session, out)
        await later.type("/as bob", "/in 1 Since when?")
        recorded = (await later.contributions())[-1]
        assert (recorded.author_id, recorded.text) == ("bob", "Since when?")
    finally:
        await app.close()


@pytest.mark.asyncio
async def test_quit_ends_the_session(console: Console) -> None:
    assert await console.session.feed("/quit") is False


@pytest.mark.asyncio
async def test_the_adapter_refuses_an_effect_it_cannot_show() -> None:
    adapter = ConsoleAdapter(io.StringIO())
    timer = SetTimer("circle", "case", TimerKind.DEADLINE, START, 1)
    with pytest.raises(DeliveryError) as refused:
        await adapter.deliver(timer, Address(PLATFORM, WORKSPACE, CHANNEL))
    assert refused.value.permanent
