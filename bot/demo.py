"""`codev demo`: a whole consultation, played on the console adapter and printed.

Five people in a circle: Maya facilitates, Carol brings a problem, Alice, Bob and Dan
consult. Every line they type goes through the real service, storage, outbox and
dispatcher, on a temporary SQLite database that is deleted afterwards (the database named
by DATABASE_URL is never touched). The demo succeeds only if the case really reached
follow-up with Carol's update recorded, as read back from storage.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TextIO

from bot.adapters.console import CHANNEL, PLATFORM, WORKSPACE, ConsoleAdapter, ConsoleSession, ManualClock
from bot.adapters.console_render import WIDTH
from bot.bootstrap import App, build
from bot.config import Settings
from bot.flows.model import ContributionKind, Phase
from bot.storage.uow import UnitOfWork

DEMO_START = time(14, 0)  # UTC: the morning in Montreal, where the circle meets


@dataclass(frozen=True, slots=True)
class Scene:
    title: str
    note: str
    lines: tuple[str, ...]


def scenes(today: date) -> tuple[Scene, ...]:
    due = (today + timedelta(days=21)).isoformat()
    meeting = (today + timedelta(days=10)).isoformat()
    return (
        Scene(
            "Setting up the circle",
            "Maya, a facilitator, binds a co-development circle to the channel and sets its next meeting.",
            (
                '/as maya "Maya Roy" America/Montreal',
                '/codev setup "Team leads circle" en America/Montreal',
                f"/codev schedule {meeting} 15:00",
            ),
        ),
        Scene(
            "Four members join",
            "Each member joins, reads the charter and accepts it with its button.",
            (
                '/as alice "Alice Martin" America/Montreal',
                "/codev join",
                "/press accept_charter",
                '/as bob "Bob Tremblay" Europe/Paris',
                "/codev join",
                "/press accept_charter",
                '/as carol "Carol Nguyen" America/Toronto',
                "/codev join",
                "/press accept_charter",
                '/as dan "Dan Okafor" America/Vancouver',
                "/codev join",
                "/press accept_charter",
            ),
        ),
        Scene(
            "Phase 1, the exposé",
            "Carol brings a problem. The submission form asks for it field by field.",
            (
                "/as carol",
                "/codev submit",
                "Problem",
                "Rebuilding trust after a reorganisation",
                "In January my team of six was merged with a team of five.",
                "Two senior people from the other team take their concerns straight to my",
                "manager instead of to me, and our team meetings have gone quiet.",
                ".",
                "If nothing changes I expect to lose one of them by the summer.",
                ".",
                "A kick-off day, and one-to-ones with each newcomer.",
                ".",
                "How can I earn the trust of the two seniors without forcing it?",
                ".",
            ),
        ),
        Scene(
            "Phase 2, clarification",
            "Consultants ask questions in the case's thread and Carol answers. Dan's reply reads "
            "as advice: he is nudged privately and keeps it for the consultation phase.",
            (
                "/as alice",
                "/in 1 What did the two seniors say during your one-to-ones?",
                "/as carol",
                "/in 1 They were polite but brief. One said she liked the old way better.",
                "/as bob",
                "/in 1 How does your manager respond when they go to her directly?",
                "/as carol",
                "/in 1 She listens, then forwards their points to me. It feels awkward for all three of us.",
                "/as dan",
                "/in 1 You should ask your manager to send them back to you.",
                "/press keep_for_consultation",
                "/in 1 What would trust look like for you, in one concrete scene?",
                "/as carol",
                "/in 1 They would bring me a problem before it reaches my manager.",
                "/as alice",
                "/press no_more_questions 1",
                "/as bob",
                "/press no_more_questions 1",
                "/as dan",
                "/press no_more_questions 1",
            ),
        ),
        Scene(
            "Phase 3, the contract",
            "Carol says in one reply what help she wants; consultants acknowledge it, by button or by reply.",
            (
                "/as carol",
                "/in 1 I would like small, concrete steps that invite the two seniors to come to me "
                "first, without going around my manager.",
                "/as alice",
                "/press ack_can_help 1",
                "/as bob",
                "/in 1 I can help with that.",
            ),
        ),
        Scene(
            "Phase 4, consultation",
            "Dan's kept advice is posted. Consultants share ideas and experiences; Carol listens "
            "(a reply from her is recorded, and she is reminded privately that she can send signals).",
            (
                "/as alice",
                "/in 1 When I merged two teams, I asked each senior to own one shared ritual. "
                "It gave them a reason to come to me.",
                "/as bob",
                "/in 1 A hypothesis: they go to your manager out of habit, not against you. "
                "Agree with her on a simple reply: 'have you talked to Carol?'",
                "/as carol",
                "/in 1 I did try that in February!",
                "/as dan",
                "/in 1 Run a short retrospective on the merger itself, where everyone says what they miss.",
                "/as alice",
                "/press done 1",
                "/as bob",
                "/press done 1",
                "/as dan",
                "/press done 1",
            ),
        ),
        Scene(
            "Phase 5, the action plan",
            "Carol replies with a synthesis and two actions (a line ending in \\ goes on on the next); "
            "consultants endorse.",
            (
                "/as carol",
                "/in 1 I will invite the seniors in rather than wait for them to come. \\",
                f"- ask each senior to own one team ritual (by {due}) \\",
                "- agree with my manager on sending them back to me",
                "/as alice",
                "/press endorse 1",
                "/as bob",
                "/in 1 Endorsed: clear and doable.",
            ),
        ),
        Scene(
            "Phase 6, learnings",
            "Everyone shares what they take away. A day passes: the reminder goes only to the two "
            "who have not shared yet.",
            (
                "/as carol",
                "/in 1 Waiting for trust is itself a message; inviting it is mine to do.",
                "/as alice",
                "/in 1 A merger's habits outlive the org chart; I will look for them in my own team.",
                "/time +1d",
                "/as bob",
                "/in 1 I will try the one-shared-ritual idea with my own team.",
                "/as dan",
                "/in 1 Parking my advice made me listen better during the questions.",
            ),
        ),
        Scene(
            "Follow-up",
            "Two weeks pass. Before the meeting Codev asks Carol for news (and reminds her once), then "
            "posts the meeting digest; after it Carol reports on her first action with the button.",
            (
                "/time +14d",
                "/as carol",
                "/press post_update",
                "1",
                "done",
                "Both seniors now host the Monday planning in turns, and one came to me first last week.",
                ".",
            ),
        ),
    )


async def run_demo(settings: Settings, *, out: TextIO | None = None, today: date | None = None) -> int:
    """Play the demo; 0 if the case reached follow-up with an update recorded, else 1."""
    out = out or sys.stdout
    today = today or _next_monday(datetime.now(UTC).date())
    with tempfile.TemporaryDirectory(prefix="codev-demo-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'demo.db'}"
        demo_settings = dataclasses.replace(settings, database=settings.database.model_copy(update={"url": url}))
        clock = ManualClock(datetime.combine(today, DEMO_START, tzinfo=UTC))
        adapter = ConsoleAdapter(out)
        app = await build(demo_settings, clock=clock, deliverers={PLATFORM: adapter}, worker_id="demo")
        try:
            session = ConsoleSession(app, adapter, clock, out, echo=True)
            await session.start()
            out.write(_INTRO)
            for number, scene in enumerate(scenes(today), start=1):
                note = textwrap.fill(f"({scene.note})", WIDTH)
                out.write(f"\n=== {number}. {scene.title} ===\n{note}\n\n")
                for line in scene.lines:
                    await session.feed(line)
            problem = await _problem(app)
        finally:
            await app.close()
    if problem is not None:
        out.write(f"\nThe demo did not finish as it should: {problem}.\n")
        return 1
    out.write(_OUTRO)
    return 0


def _next_monday(day: date) -> date:
    """Circles meet on weekdays: the demo starts on a Monday, today or the next one."""
    return day + timedelta(days=-day.weekday() % 7)


async def _problem(app: App) -> str | None:
    """What is missing from the consultation, read from storage; None when it is complete."""
    async with UnitOfWork(app.sessions) as uow:
        circle = await uow.circles.get_by_channel(PLATFORM, WORKSPACE, CHANNEL)
        if circle is None:
            return "no circle was set up"
        cases = await uow.cases.list_for_circle(circle.id, active_only=False)
        if not cases:
            return "no case was opened"
        case = cases[0]
        if case.phase not in (Phase.FOLLOW_UP, Phase.CLOSED):
            return f"case {case.number} stopped in the {case.phase} phase"
        contributions = await uow.contributions.list_for_case(case.id)
    updates = [c for c in contributions if c.kind is ContributionKind.UPDATE and c.author_id == case.client_id]
    if not updates or case.plan is None or not any(item.status.settled for item in case.plan.items):
        return f"case {case.number} reached follow-up, but no update was recorded"
    return None


_INTRO = f"""\
Codev demo: one consultation of a co-development circle, from the exposé to the follow-up.
What people type is shown as `name> …`; the bot's messages as `{CHANNEL}  codev: …` in the
channel, `case 1 | codev: …` in the case's thread, `(DM to name)` and `(only name sees)` in
private. Buttons are shown as [action] Label; /press presses them. Nothing is sent anywhere:
this runs on a temporary database, with a clock that only /time moves.
"""

_OUTRO = """
=== The end ===
Carol's case is in follow-up: before each meeting Codev will ask her about her remaining
action and share her updates with the circle. Try it yourself with `codev console`.
"""
