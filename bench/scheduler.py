"""The scheduler and dispatcher under load: 10,000 circles, 50,000 due rows, a digest fan-out.

Part 1, per database (SQLite, then PostgreSQL): 10,000 circles and 50,000 due outbox rows
(posts, five per circle) are written, then the bot's own scheduler (APScheduler waking the
dispatcher, as `codev run` does) starts and delivers them through a fake adapter with no
rate limit. Reported: the time from `scheduler.start()` to the first delivery, rows
delivered per second (each one claimed, delivered and settled), rows claimed per second by
the bare atomic claim (200 rows a claim, nothing delivered), peak Python memory (tracemalloc,
in one more untimed delivery run) and the process's max RSS. Target: memory under 300 MB.

Part 2, per database too: a fake Slack (aiohttp on 127.0.0.1) that accepts one message per
second per channel and answers 429 with Retry-After otherwise. 1,000 circles, each its own
channel, have a meeting whose DIGEST job is due: the scheduler fires the jobs, each queues its digest,
the dispatcher delivers them paced per channel. Also run with four more messages per
channel queued beside each digest, where the limit must bite. The theoretical minimum under
the limit is (k - 1) s for k messages per channel, plus the time a bare client with no
limit takes to post the same messages (the same texts) to the same server. Target: within 1.2x.
As `codev run` does once started (`tune_collector`), the heap built so far is frozen
(gc.freeze) and the young generation collected less often before anything is timed, the bare
client's floor included: a full collection of the benchmark's own leftovers would otherwise
land on whichever of the two happens to run into it.

    PYTHONPATH=. .venv/bin/python bench/scheduler.py [--quick]
    python -m bench.scheduler

PostgreSQL: a database `codev_bench_sched_<pid>` created and dropped on PGHOST/PGPORT/PGUSER
(default 127.0.0.1:5432/postgres); skipped with a printed line when unreachable. This is not
a test: it asserts nothing about the targets.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import ClientSession, TCPConnector, web
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bench.scratch_postgres import PostgresUnreachableError, scratch_database
from bot.bootstrap import App, build, tune_collector
from bot.config import DatabaseSettings, Settings, load_settings
from bot.flows.effects import Effect, MeetingJob, MeetingTimer, Post
from bot.flows.meetings import digest
from bot.flows.model import Cadence, Circle, CircleSettings, Member, Rotation
from bot.ports import Address, DeliveryError, Progress
from bot.storage import codec
from bot.storage.engine import make_engine
from bot.storage.migrate import upgrade
from bot.storage.outbox import Outbox
from bot.storage.tables import circles, outbox

CIRCLES = 10_000
ROWS = 50_000
FANOUT_CHANNELS = 1_000
MEMORY_TARGET_MB = 300
FANOUT_TARGET = 1.2
PLATFORM = "bench"
SLACK = "slack"
NOW = datetime.now(UTC).replace(microsecond=0)
ZONE = "America/Montreal"
WAIT = 240.0  # give up on a part after this long (something is wrong)


def _now() -> datetime:
    return datetime.now(UTC)


# --- fixtures ------------------------------------------------------------------------------


def a_circle(number: int, platform: str, meeting: datetime | None = None) -> Circle:
    people = tuple(Member(f"u{number}-{i}", f"Member {i}", NOW, i == 0, NOW) for i in range(5))
    return Circle(
        id=f"circle-{number}",
        platform=platform,
        workspace_id="W1",
        channel_id=f"C{number:05d}",
        name=f"Circle {number}",
        created_at=NOW,
        members=people,
        settings=CircleSettings(timezone=ZONE),
        cadence=Cadence(dates=(meeting.astimezone(ZoneInfo(ZONE)).replace(tzinfo=None),)) if meeting else Cadence(),
        rotation=Rotation(queue=tuple(m.user_id for m in people)),
    )


async def write_circles(url: str, count: int, platform: str, meeting: datetime | None = None) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            for start in range(0, count, 1000):
                rows = []
                for number in range(start, min(count, start + 1000)):
                    circle = a_circle(number, platform, meeting)
                    rows.append(
                        {
                            "id": circle.id,
                            "platform": circle.platform,
                            "workspace_id": circle.workspace_id,
                            "channel_id": circle.channel_id,
                            "name": circle.name,
                            "version": 1,
                            "state": codec.encode_circle(circle),
                            "created_at": NOW,
                        }
                    )
                await connection.execute(insert(circles), rows)
    finally:
        await engine.dispose()


async def write_rows(url: str, effects: Sequence[Effect], due: datetime) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            for start in range(0, len(effects), 2000):
                rows: list[dict[str, Any]] = [
                    {
                        "circle_id": effect.circle_id,
                        "case_id": None,
                        "kind": effect.kind,
                        "payload": codec.encode_effect(effect),
                        "due_at": effect.due_at if isinstance(effect, MeetingTimer) else due,
                        "status": "pending",
                        "attempts": 0,
                        "created_at": due,
                    }
                    for effect in effects[start : start + 2000]
                ]
                await connection.execute(insert(outbox), rows)
    finally:
        await engine.dispose()


async def clear_outbox(url: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM outbox"))
    finally:
        await engine.dispose()


def posts(count: int, circle_count: int) -> list[Post]:
    # Interleaved by circle, as many circles' messages come due together.
    return [Post(f"circle-{i % circle_count}", f"message {i}") for i in range(count)]


def settings_for(url: str) -> Settings:
    settings = dataclasses.replace(load_settings(env_file=None), database=DatabaseSettings(url=url))
    behaviour = settings.behaviour.model_copy(update={"dispatch_interval_seconds": 5.0})
    return dataclasses.replace(settings, behaviour=behaviour)


# --- part 1: throughput ----------------------------------------------------------------------


class CountingPlatform:
    """A platform with no limit: counts what it is given."""

    def __init__(self, platform: str, expected: int) -> None:
        self.platform = platform
        self.expected = expected
        self.count = 0
        self.first_at: float | None = None
        self.done = asyncio.Event()

    async def deliver(self, effect: Effect, address: Address, progress: Progress) -> str | None:
        if self.first_at is None:
            self.first_at = time.perf_counter()
        self.count += 1
        if self.count >= self.expected:
            self.done.set()
        return None


@dataclass
class Throughput:
    database: str
    first_delivery_s: float
    delivered_per_s: float
    claimed_per_s: float
    tracemalloc_peak: int
    max_rss_kib: int


async def deliver_all(url: str, *, traced: bool) -> tuple[float, float, int]:
    """Start the scheduler on ROWS due rows; (s to first delivery, rows/s, tracemalloc peak)."""
    platform = CountingPlatform(PLATFORM, ROWS)
    app = await build(settings_for(url), deliverers={PLATFORM: platform}, worker_id="bench")
    tune_collector()  # as `codev run` does once started
    if traced:
        tracemalloc.start()
    try:
        started = time.perf_counter()
        app.scheduler.start()
        await asyncio.wait_for(platform.done.wait(), WAIT)
        elapsed = time.perf_counter() - started
    finally:
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
        if traced:
            tracemalloc.stop()
        await app.close()
    assert platform.first_at is not None
    return platform.first_at - started, ROWS / elapsed, peak


async def claim_all(url: str) -> float:
    """The bare atomic claim over ROWS due rows, 200 at a time (bootstrap's batch size; the
    dispatcher claims a few batches at once): rows/s."""
    engine = make_engine(url)
    try:
        from bot.storage.engine import make_session_factory

        claims = Outbox(make_session_factory(engine))
        started = time.perf_counter()
        claimed = 0
        while batch := await claims.claim_due(_now(), "bench", 200, timedelta(hours=1), platforms=(PLATFORM,)):
            claimed += len(batch)
        return claimed / (time.perf_counter() - started)
    finally:
        await engine.dispose()


async def throughput(name: str, url: str) -> Throughput:
    await upgrade(url)
    print(f"{name}: writing {CIRCLES:,} circles and {ROWS:,} due rows", flush=True)
    await write_circles(url, CIRCLES, PLATFORM)
    await write_rows(url, posts(ROWS, CIRCLES), NOW)
    first, rate, _ = await deliver_all(url, traced=False)
    print(f"{name}: delivered {ROWS:,} rows at {rate:,.0f}/s; first after {first * 1000:.0f} ms", flush=True)
    await clear_outbox(url)
    await write_rows(url, posts(ROWS, CIRCLES), NOW)
    claimed = await claim_all(url)
    print(f"{name}: claimed {ROWS:,} rows at {claimed:,.0f}/s", flush=True)
    await clear_outbox(url)
    await write_rows(url, posts(ROWS, CIRCLES), NOW)
    _, _, peak = await deliver_all(url, traced=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return Throughput(name, first, rate, claimed, peak, rss)


# --- part 2: the fan-out through a rate-limited fake Slack --------------------------------


class FakeSlack:
    """chat.postMessage on loopback: one message per second per channel, else 429."""

    def __init__(self, interval: float = 1.0, tolerance: float = 0.05) -> None:
        self.interval = interval
        self.tolerance = tolerance
        self.last: dict[str, float] = {}
        self.accepted = 0
        self.refused = 0
        self.first_at: float | None = None
        self.last_at = 0.0
        self.expected = 0
        self.done = asyncio.Event()
        self.limited = True

    async def post_message(self, request: web.Request) -> web.Response:
        body = await request.json()
        channel = body["channel"]
        now = time.perf_counter()
        previous = self.last.get(channel)
        if self.limited and previous is not None and now - previous < self.interval - self.tolerance:
            self.refused += 1
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"})
        self.last[channel] = now
        self.accepted += 1
        self.first_at = self.first_at or now
        self.last_at = now
        if self.accepted >= self.expected:
            self.done.set()
        return web.json_response({"ok": True, "channel": channel, "ts": f"{now:.6f}"})

    def reset(self, expected: int, *, limited: bool = True) -> None:
        self.last.clear()
        self.accepted = self.refused = 0
        self.first_at = None
        self.expected = expected
        self.limited = limited
        self.done = asyncio.Event()


class SlackDeliverer:
    """A minimal Slack adapter over HTTP: posts, and turns a 429 into a retry-after."""

    platform = SLACK
    channel_interval = 1.0  # Slack: about one message per second per channel

    def __init__(self, http: ClientSession, base: str) -> None:
        self._http = http
        self._url = f"{base}/api/chat.postMessage"

    async def deliver(self, effect: Effect, address: Address, progress: Progress) -> str | None:
        text = getattr(effect, "text", "")
        async with self._http.post(self._url, json={"channel": address.channel_id, "text": text}) as response:
            if response.status == 429:
                raise DeliveryError("ratelimited", retry_after=float(response.headers.get("Retry-After", "1")))
            data = await response.json()
        return str(data["ts"])


@dataclass
class Fanout:
    database: str
    per_channel: int
    jobs: bool
    seconds: float
    minimum: float
    floor: float
    refused: int

    @property
    def ratio(self) -> float:
        return self.seconds / self.minimum


async def bare_floor(http: ClientSession, base: str, slack: FakeSlack, texts: Sequence[str]) -> float:
    """A bare client posting the same texts, 200 at a time (the dispatcher's batch), to a
    server with no limit, over warm connections (a first pass opens them, unmeasured)."""
    for _ in range(2):
        slack.reset(len(texts), limited=False)
        started = time.perf_counter()
        await _bare_pass(http, base, texts)
    return time.perf_counter() - started


async def _bare_pass(http: ClientSession, base: str, texts: Sequence[str]) -> None:
    for start in range(0, len(texts), 200):
        async with asyncio.TaskGroup() as group:
            for number in range(start, min(len(texts), start + 200)):
                group.create_task(_post(http, base, f"F{number}", texts[number]))


async def _post(http: ClientSession, base: str, channel: str, text: str) -> None:
    async with http.post(f"{base}/api/chat.postMessage", json={"channel": channel, "text": text}) as response:
        await response.read()


async def fanout(
    name: str, url: str, per_channel: int, http: ClientSession, base: str, slack: FakeSlack, *, jobs: bool
) -> Fanout:
    """Deliver k messages to each channel, the digest last. `jobs`: the digests come from
    their DIGEST jobs, fired by the scheduler in the same run; else they are queued already
    (the text the job writes), and only delivery is measured."""
    await clear_outbox(url)
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM circles"))
    await engine.dispose()
    meeting = (_now() + timedelta(days=1)).replace(second=0, microsecond=0)
    await write_circles(url, FANOUT_CHANNELS, SLACK, meeting)
    extra: list[Effect] = [
        Post(f"circle-{n}", f"note {i}") for i in range(per_channel - 1) for n in range(FANOUT_CHANNELS)
    ]
    await write_rows(url, extra, NOW)
    # The texts Codev posts (a job writes the same digest: its circle has no cases), which
    # the bare client posts too: the floor is the same messages, not shorter ones.
    texts = [digest(a_circle(n, SLACK, meeting), [], meeting, {}) for n in range(FANOUT_CHANNELS)]
    digests: list[Effect]
    if jobs:
        digests = [
            MeetingTimer(f"circle-{n}", MeetingJob.DIGEST, _now() - timedelta(seconds=1), meeting)
            for n in range(FANOUT_CHANNELS)
        ]
    else:
        digests = list(texts)
    await write_rows(url, digests, NOW + timedelta(seconds=1))
    total = FANOUT_CHANNELS * per_channel
    app: App = await build(settings_for(url), deliverers={SLACK: SlackDeliverer(http, base)}, worker_id="fanout")
    try:
        # As `codev run` does once started; the bare client then runs in the same heap.
        tune_collector()
        floor = await bare_floor(http, base, slack, [post.text for post in [*extra, *texts] if isinstance(post, Post)])
        slack.reset(total)
        started = time.perf_counter()
        app.scheduler.start()
        await asyncio.wait_for(slack.done.wait(), WAIT)
        seconds = time.perf_counter() - started
    finally:
        await app.close()
    minimum = (per_channel - 1) * slack.interval + floor
    return Fanout(name, per_channel, jobs, seconds, minimum, floor, slack.refused)


async def fanouts(name: str, url: str) -> list[Fanout]:
    slack = FakeSlack()
    server = web.Application()
    server.router.add_post("/api/chat.postMessage", slack.post_message)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    # A listen backlog above the dispatcher's 200 concurrent first connections: with the
    # default (128) the kernel drops SYNs and the client waits a second to retry.
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}"
    results = []
    try:
        async with ClientSession(connector=TCPConnector(limit=200)) as http:
            for per_channel, jobs in ((1, False), (5, False), (1, True)):
                result = await fanout(name, url, per_channel, http, base, slack, jobs=jobs)
                print(
                    f"{name} fan-out: {FANOUT_CHANNELS:,} channels x {per_channel} (jobs: {jobs}): "
                    f"{result.seconds:.2f} s (minimum {result.minimum:.2f} s, {result.refused} refused with 429)",
                    flush=True,
                )
                results.append(result)
    finally:
        await runner.cleanup()
    return results


# --- databases and the report ----------------------------------------------------------------


def _mb(size: float) -> str:
    return f"{size / 1e6:.0f} MB"


def report(results: Sequence[Throughput], fans: Sequence[Fanout], skipped: Sequence[str]) -> None:
    print()
    print(f"Scheduler + dispatcher: {CIRCLES:,} circles, {ROWS:,} due rows, fake adapter with no rate limit")
    header = (
        f"{'database':<11} {'1st delivery':>12} {'delivered/s':>12} {'claimed/s':>10} "
        f"{'tracemalloc':>12} {'max RSS':>9} {'memory target':>14}"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        rss = result.max_rss_kib * 1024
        verdict = "ok" if max(rss, result.tracemalloc_peak) < MEMORY_TARGET_MB * 1e6 else "OVER"
        print(
            f"{result.database:<11} {result.first_delivery_s * 1000:>9.0f} ms {result.delivered_per_s:>12,.0f} "
            f"{result.claimed_per_s:>10,.0f} {_mb(result.tracemalloc_peak):>12} {_mb(rss):>9} "
            f"{f'<{MEMORY_TARGET_MB} MB {verdict}':>14}"
        )
    for line in skipped:
        print(line)
    print()
    print(f"Digest fan-out to {FANOUT_CHANNELS:,} channels through a fake Slack allowing 1 message/s/channel")
    header = (
        f"{'database':<11} {'msgs/channel':>12} {'digests from':>13} {'measured':>9} {'minimum':>8} {'ratio':>6} "
        f"{'target':>7} {'429s':>5}  verdict"
    )
    print(header)
    print("-" * len(header))
    for fan in fans:
        verdict = "ok" if fan.ratio <= FANOUT_TARGET else "ABOVE TARGET"
        print(
            f"{fan.database:<11} {fan.per_channel:>12} {'their jobs' if fan.jobs else 'queued rows':>13} "
            f"{fan.seconds:>8.2f}s {fan.minimum:>7.2f}s {fan.ratio:>6.2f} {f'<={FANOUT_TARGET}':>7} "
            f"{fan.refused:>5}  {verdict}"
        )
    print(
        "minimum = (messages per channel - 1) x 1 s + the time a bare client takes to post the same messages "
        "to the same server with no limit (floor: " + ", ".join(f"{fan.floor:.2f} s" for fan in fans) + "); "
        "'their jobs': the scheduler also fires the 1,000 DIGEST jobs that write the digests"
    )
    print("max RSS is the process high-water mark (it includes every part run before).")


async def run(quick: bool) -> int:
    global CIRCLES, ROWS
    if quick:
        CIRCLES, ROWS = 1_000, 5_000
    started = time.perf_counter()
    print(f"load average {', '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} CPUs", flush=True)
    results: list[Throughput] = []
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="codev-bench-sched-") as directory:
        url = f"sqlite+aiosqlite:///{directory}/bench.db"
        results.append(await throughput("sqlite", url))
        fans = await fanouts("sqlite", url)
    try:
        async with scratch_database(f"codev_bench_sched_{os.getpid()}") as pg:
            results.append(await throughput("postgresql", pg))
            fans += await fanouts("postgresql", pg)
    except PostgresUnreachableError as problem:
        skipped.append(f"postgresql: SKIPPED, {problem}")
    report(results, fans, skipped)
    print(f"\n(benchmark ran in {time.perf_counter() - started:.0f} s)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="1,000 circles and 5,000 rows instead")
    args = parser.parse_args(argv)
    return asyncio.run(run(args.quick))


if __name__ == "__main__":
    sys.exit(main())
