"""How many contributions per second go through the engine, storage and outbox.

Each measured event is one `ThreadReply` with its own `event_id`, handled by `Codev.handle`
in its own transaction, as in production: the dedupe insert that also reads the circle and the
case, one engine step, the contribution insert, the case save when it changed, outbox rows,
commit. The statements each path sends per event are counted in an untimed round.

Beside it, in the same process and on the same database with the same engine, a baseline:
a bare SQLAlchemy Core single-row INSERT per transaction. Rounds alternate (baseline,
engine, baseline, engine, ...) and the median of each is reported, with the ratio
engine/baseline against a target of 0.50. Memory is measured in one more pair of rounds
under tracemalloc (not timed: tracing slows everything down) plus the process's max RSS.

The workload: circles of 6 (1 facilitator, 5 members), each member the client of one case in
clarification; consultants ask questions (one in ten reads as advice, which is parked and
nudged privately through the outbox) and clients answer, authors and cases rotating, so a
person's first reply in the phase changes the case (`acted`) and later ones do not.
Every round gets fresh circles so that each sees the same mix.

    PYTHONPATH=. .venv/bin/python bench/engine.py [--events N] [--quick] [--profile]
    python -m bench.engine

Runs on SQLite (a temporary file, the embedded default) and on PostgreSQL (a database
`codev_bench_<pid>` created and dropped on PGHOST/PGPORT/PGUSER, default
127.0.0.1:5432/postgres). PostgreSQL is skipped with a printed line when unreachable, except
under CI, where that is an error. This is not a test: it asserts nothing about the target.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import math
import os
import pstats
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, event, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bench.scratch_postgres import PostgresUnreachableError, scratch_database, under_ci
from bot.incoming import ButtonPress, FormSubmission, Incoming, Origin, Outcome, Payload, SlashCommand, ThreadReply
from bot.service import Codev
from bot.storage.engine import make_engine, make_session_factory
from bot.storage.migrate import upgrade
from bot.storage.tables import cases, contributions, outbox
from bot.storage.uow import UnitOfWork

TARGET = 0.50
DEFAULT_EVENTS = 2_000
QUICK_EVENTS = 500
ROUNDS = 5
WARM_UP_EVENTS = 100

PLATFORM = "bench"
WORKSPACE = "ws"
FACILITATOR = "fay"
CLIENTS = ("ann", "bob", "cy", "dee", "eli")
REPLIES_PER_CASE = 20  # alternately a consultant's question and the client's answer
ADVICE_AT = 10  # this consultant reply of each case reads as advice (parked, nudged)
EVENTS_PER_CIRCLE = REPLIES_PER_CASE * len(CLIENTS)

QUESTIONS = (
    "What happened right before the meeting where it went wrong?",
    "Who else in the team is affected by this, and how do they see it?",
    "When you say the project is stuck, what exactly is not moving forward today?",
    "What would a good outcome look like for you three months from now?",
    "How did your manager react the first time you raised the topic with them?",
    "What is at stake for you personally if nothing changes?",
    "Which part of this situation feels most within your control?",
    "How long has this been going on, and did anything change recently in the organisation?",
)
ANSWERS = (
    "It started last spring, right after the reorganisation, when two teams were merged.",
    "Mostly the two senior engineers; they feel their expertise is no longer recognised.",
    "The budget was approved but nobody owns the decision on the vendor, so it waits.",
    "A team that decides without me in the room, and a project delivered on time.",
    "She listened, said it was a good point, and then nothing happened for weeks.",
    "Honestly my credibility: I promised results to the steering committee in June.",
    "How I run our weekly meeting, and what I escalate and when.",
    "About six months. A new director arrived in January and priorities shifted twice since.",
)
ADVICE = "Have you tried talking to the two senior engineers one on one before the next meeting?"
CONTEXT = (
    "I lead a team of nine since the merger of two departments last year. Decisions that used to "
    "take a day now take weeks, two senior people openly disagree with the direction, and the "
    "project we committed to for June has not moved in a month. I have tried a team workshop and "
    "a one-on-one with each of them, without much change. "
) * 2

_metadata = MetaData()
baseline_rows = Table(
    "bench_baseline",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(255), nullable=False),
    Column("body", Text, nullable=False),
)

T = TypeVar("T")


# --- the workload ------------------------------------------------------------------------


def _origin(channel: str, user: str, thread_ref: str | None = None) -> Origin:
    return Origin(PLATFORM, WORKSPACE, channel, user, user.title(), thread_ref)


async def _expect(svc: Codev, channel: str, user: str, payload: Payload) -> Outcome:
    outcome = await svc.handle(Incoming(_origin(channel, user), payload))
    if outcome.refused:
        raise RuntimeError(f"setup refused for {user}: {[n.text for n in outcome.notices]}")
    return outcome


@dataclass(frozen=True, slots=True)
class Thread:
    channel: str
    ref: str
    client: str
    consultants: tuple[str, ...]


async def _setup_circle(svc: Codev, sessions: async_sessionmaker[AsyncSession], channel: str) -> list[Thread]:
    """A circle of 6 with 5 cases in clarification, each with its thread ref set."""
    await _expect(svc, channel, FACILITATOR, SlashCommand("setup Bench en UTC"))
    for user in CLIENTS:
        await _expect(svc, channel, user, SlashCommand("join"))
        await _expect(svc, channel, user, ButtonPress("accept_charter"))
    for user in CLIENTS:
        values = {"kind": "problem", "title": f"Stuck project ({user})", "context": CONTEXT, "question": "How?"}
        await _expect(svc, channel, user, FormSubmission("submit", values))
    threads: list[Thread] = []
    async with UnitOfWork(sessions) as uow:
        circle = await uow.circles.get_by_channel(PLATFORM, WORKSPACE, channel)
        if circle is None:
            raise RuntimeError(f"circle {channel} was not created")
        for case in await uow.cases.list_for_circle(circle.id, active_only=True):
            ref = f"{channel}-t{case.number}"
            await uow.cases.set_thread_ref(case.id, ref)
            threads.append(Thread(channel, ref, case.client_id, case.consultants))
        await uow.commit()
    if len(threads) != len(CLIENTS):
        raise RuntimeError(f"circle {channel}: {len(threads)} open cases, expected {len(CLIENTS)}")
    return threads


async def prepare(svc: Codev, sessions: async_sessionmaker[AsyncSession], tag: str, count: int) -> list[Incoming]:
    """Fresh circles and `count` thread replies over their cases, round-robin."""
    circles = [await _setup_circle(svc, sessions, f"{tag}-c{i}") for i in range(math.ceil(count / EVENTS_PER_CIRCLE))]
    events: list[Incoming] = []
    for step in range(REPLIES_PER_CASE):
        for threads in circles:
            for thread in threads:
                if step % 2 == 0:
                    author = thread.consultants[(step // 2) % len(thread.consultants)]
                    said = ADVICE if step == ADVICE_AT else QUESTIONS[(step // 2 + len(events)) % len(QUESTIONS)]
                else:
                    author = thread.client
                    said = ANSWERS[(step // 2 + len(events)) % len(ANSWERS)]
                number = len(events)
                events.append(
                    Incoming(
                        _origin(thread.channel, author, thread.ref),
                        ThreadReply(said, f"{tag}-m{number}"),
                        f"{tag}-e{number}",
                    )
                )
    return events[:count]


# --- the measured sections ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Timing:
    """One round: wall seconds (the figure) and process CPU seconds, all threads (less noisy)."""

    wall: float
    cpu: float


class _Stopwatch:
    def __init__(self) -> None:
        self._wall = time.perf_counter()
        self._cpu = time.process_time()

    def stop(self) -> Timing:
        return Timing(time.perf_counter() - self._wall, time.process_time() - self._cpu)


async def engine_round(svc: Codev, events: Sequence[Incoming]) -> Timing:
    watch = _Stopwatch()
    for incoming in events:
        outcome = await svc.handle(incoming)
        if outcome.refused or outcome.duplicate:
            raise RuntimeError(f"bench event {incoming.event_id} was not applied: {outcome}")
    return watch.stop()


async def baseline_round(engine: AsyncEngine, tag: str, count: int) -> Timing:
    watch = _Stopwatch()
    for number in range(count):
        async with engine.begin() as connection:
            await connection.execute(
                insert(baseline_rows).values(event_id=f"{tag}-{number}", body=ANSWERS[number % len(ANSWERS)])
            )
    return watch.stop()


async def traced(section: Callable[[], Awaitable[T]]) -> tuple[T, int]:
    """Run `section` under tracemalloc: its result and the peak of memory it allocated."""
    gc.collect()
    tracemalloc.start()
    try:
        result = await section()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, peak


@dataclass(frozen=True, slots=True)
class Totals:
    contributions: int
    outbox: int
    case_versions: int

    @classmethod
    async def read(cls, engine: AsyncEngine) -> Totals:
        async with engine.connect() as connection:
            found = await connection.execute(
                select(
                    select(func.count()).select_from(contributions).scalar_subquery(),
                    select(func.count()).select_from(outbox).scalar_subquery(),
                    select(func.coalesce(func.sum(cases.c.version), 0)).scalar_subquery(),
                )
            )
            row = found.one()
        return cls(int(row[0]), int(row[1]), int(row[2]))


class StatementCounter:
    """Counts the SQL statements an engine sends while in use (COMMIT and ROLLBACK are not
    statements here: the driver's own calls)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.sync_engine
        self.count = 0

    def _sent(self, *_: object) -> None:
        self.count += 1

    def __enter__(self) -> StatementCounter:
        event.listen(self._engine, "before_cursor_execute", self._sent)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self._engine, "before_cursor_execute", self._sent)


@dataclass(frozen=True, slots=True)
class Mix:
    """What one measured event wrote, on average."""

    contributions: float
    case_saves: float
    outbox_rows: float


@dataclass(slots=True)
class Result:
    database: str
    engine_rounds: list[Timing]
    baseline_rounds: list[Timing]
    per_round: int
    engine_peak: int = 0
    baseline_peak: int = 0
    engine_statements: float = 0.0
    baseline_statements: float = 0.0
    max_rss_kib: int = 0
    mix: Mix | None = None
    profile: str = ""

    def _rates(self, rounds: list[Timing]) -> list[float]:
        return [self.per_round / timing.wall for timing in rounds]

    @property
    def engine_rates(self) -> list[float]:
        return self._rates(self.engine_rounds)

    @property
    def baseline_rates(self) -> list[float]:
        return self._rates(self.baseline_rounds)

    @property
    def engine(self) -> float:
        return statistics.median(self.engine_rates)

    @property
    def baseline(self) -> float:
        return statistics.median(self.baseline_rates)

    @property
    def ratio(self) -> float:
        return self.engine / self.baseline if self.baseline else 0.0

    def cpu_ms(self, rounds: list[Timing]) -> float:
        """Median process CPU per event, in milliseconds."""
        return statistics.median(timing.cpu for timing in rounds) / self.per_round * 1e3


def events_per_round(events: int, rounds: int) -> int:
    """Whole circles per round (each 100 replies), so that every round writes the same mix."""
    return max(1, math.ceil(events / rounds / EVENTS_PER_CIRCLE)) * EVENTS_PER_CIRCLE


def _now() -> datetime:
    return datetime.now(UTC)


async def bench_database(name: str, url: str, events: int, rounds: int, *, profile: bool) -> Result:
    await upgrade(url)
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_metadata.create_all)
        sessions = make_session_factory(engine)
        svc = Codev(sessions, _now)
        per_round = events_per_round(events, rounds)
        result = Result(name, [], [], per_round)

        # Warm-up: compiled-statement caches, the pool, pydantic, the catalog, the disk.
        await engine_round(svc, await prepare(svc, sessions, "warm", WARM_UP_EVENTS))
        await baseline_round(engine, "warm", WARM_UP_EVENTS)

        for number in range(rounds):
            gc.collect()
            result.baseline_rounds.append(await baseline_round(engine, f"b{number}", per_round))
            workload = await prepare(svc, sessions, f"r{number}", per_round)
            before = await Totals.read(engine)
            gc.collect()
            result.engine_rounds.append(await engine_round(svc, workload))
            after = await Totals.read(engine)
            written = after.contributions - before.contributions
            if written != per_round:
                raise RuntimeError(f"{name}: {per_round} replies recorded {written} contributions")
            result.mix = Mix(
                written / per_round,
                (after.case_versions - before.case_versions) / per_round,
                (after.outbox - before.outbox) / per_round,
            )
            print(
                f"  {name} round {number + 1}/{rounds}: baseline {result.baseline_rates[-1]:7,.0f} inserts/s, "
                f"engine {result.engine_rates[-1]:7,.0f} contributions/s",
                flush=True,
            )

        # Memory and statements sent, in rounds of the same size that are not timed.
        with StatementCounter(engine) as sent:
            _, result.baseline_peak = await traced(lambda: baseline_round(engine, "mem", per_round))
        result.baseline_statements = sent.count / per_round
        workload = await prepare(svc, sessions, "mem", per_round)
        with StatementCounter(engine) as sent:
            _, result.engine_peak = await traced(lambda: engine_round(svc, workload))
        result.engine_statements = sent.count / per_round
        result.max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        if profile:
            workload = await prepare(svc, sessions, "prof", per_round)
            profiler = cProfile.Profile()
            profiler.enable()
            await engine_round(svc, workload)
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(40)
            result.profile = out.getvalue()
        return result
    finally:
        await engine.dispose()


# --- the databases -----------------------------------------------------------------------


async def bench_sqlite(events: int, rounds: int, *, profile: bool) -> Result:
    with tempfile.TemporaryDirectory(prefix="codev-bench-") as directory:
        url = f"sqlite+aiosqlite:///{directory}/bench.db"
        return await bench_database("sqlite", url, events, rounds, profile=profile)


async def bench_postgres(events: int, rounds: int, *, profile: bool) -> Result | str:
    """The result, or the line that says why PostgreSQL was skipped."""
    try:
        async with scratch_database(f"codev_bench_{os.getpid()}") as url:
            return await bench_database("postgresql", url, events, rounds, profile=profile)
    except PostgresUnreachableError as problem:
        if under_ci():
            raise PostgresUnreachableError(f"{problem} (PostgreSQL is required under CI)") from problem
        skipped = f"postgresql: SKIPPED, {problem}"
        print(skipped, flush=True)
        return skipped


# --- the report --------------------------------------------------------------------------


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def report(results: Sequence[Result], events: int, rounds: int, skipped: Sequence[str]) -> None:
    print()
    print(
        f"Contributions/s through Codev.handle vs bare Core INSERTs/s, one per transaction: "
        f"{events_per_round(events, rounds)} events x {rounds} alternating rounds per path and database, "
        f"median (best) of rounds"
    )
    for result in results:
        if result.mix is not None:
            mix = result.mix
            print(
                f"  {result.database} per event: {mix.contributions:.2f} contribution, "
                f"{mix.case_saves:.2f} case saves, {mix.outbox_rows:.2f} outbox rows; statements sent "
                f"{result.engine_statements:.2f} (baseline {result.baseline_statements:.2f}) besides COMMIT"
            )
    header = (
        f"{'database':<11} {'engine contrib/s':>17} {'baseline ins/s':>15} {'ratio':>6} {'target':>7}  "
        f"{'verdict':<12} {'CPU ms/ev eng/base':>18} {'tracemalloc eng/base':>21} {'max RSS':>9}"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        verdict = "ok" if result.ratio >= TARGET else "BELOW TARGET"
        engine = f"{result.engine:,.0f} ({max(result.engine_rates):,.0f})"
        baseline = f"{result.baseline:,.0f} ({max(result.baseline_rates):,.0f})"
        cpu = f"{result.cpu_ms(result.engine_rounds):.2f} / {result.cpu_ms(result.baseline_rounds):.2f}"
        peaks = f"{_mib(result.engine_peak)} / {_mib(result.baseline_peak)}"
        print(
            f"{result.database:<11} {engine:>17} {baseline:>15} {result.ratio:>6.2f} {f'>={TARGET:.2f}':>7}  "
            f"{verdict:<12} {cpu:>18} {peaks:>21} {_mib(result.max_rss_kib * 1024):>9}"
        )
    for line in skipped:
        print(line)
    for result in results:
        if result.ratio < TARGET:
            print(f"{result.database}: below target ({result.ratio:.2f} < {TARGET:.2f} of the bare INSERT rate)")
    print(
        "CPU is process time (all threads) per event; tracemalloc peaks come from one more untimed round of "
        "each path; max RSS is the process high-water mark so far (it includes the databases before)."
    )
    for result in results:
        if result.profile:
            print(f"\n==== cProfile of one engine round on {result.database} ====\n{result.profile}")


async def run(events: int, rounds: int, *, profile: bool) -> int:
    results: list[Result] = []
    started = time.perf_counter()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} CPUs (other work on the machine skews wall-clock rates)")
    skipped: list[str] = []
    results.append(await bench_sqlite(events, rounds, profile=profile))
    try:
        postgres = await bench_postgres(events, rounds, profile=profile)
    except PostgresUnreachableError as problem:
        print(f"bench.engine: {problem}", file=sys.stderr)
        return 1
    if isinstance(postgres, str):
        skipped.append(postgres)
    else:
        results.append(postgres)
    report(results, events, rounds, skipped)
    print(f"\n(benchmark ran in {time.perf_counter() - started:.0f} s)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--events",
        type=int,
        default=None,
        help=f"measured events per database and path, in whole circles of 100 (default {DEFAULT_EVENTS})",
    )
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"alternating rounds (default {ROUNDS})")
    parser.add_argument("--quick", action="store_true", help=f"a short run ({QUICK_EVENTS} events)")
    parser.add_argument("--profile", action="store_true", help="cProfile one more engine round per database")
    args = parser.parse_args(argv)
    events = args.events if args.events is not None else QUICK_EVENTS if args.quick else DEFAULT_EVENTS
    if events < 1 or args.rounds < 1:
        parser.error("--events and --rounds must be at least 1")
    return asyncio.run(run(events, args.rounds, profile=args.profile))


if __name__ == "__main__":
    sys.exit(main())
