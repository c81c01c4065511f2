"""The bot's clock: APScheduler 3.11 wakes the dispatcher when the next outbox row is due.

Our tables are the truth; APScheduler only decides *when* to look. It runs on the bot's
event loop (`AsyncIOScheduler`) with the in-memory job store, so nothing is pickled and no
job outlives the process; three jobs, all re-creatable at any moment:
- `wake`: a one-off DateTrigger at the next due time, re-planned after every round and moved
  to "now" after every commit that queued rows (`poke`);
- `sweep`: an interval safety net, so a lost wake-up (another replica's commit, a failed
  round) costs at most one interval;
- `plan`: every few hours, plan the coming meetings of every circle (only adds what is
  missing: a circle whose planning row was lost still gets its nudges);
- `retention`: once a day, purge closed cases past their circle's retention period
  (idempotent, so replicas may each run it).
Due rows are claimed atomically (bot.storage.outbox), so several replicas may each run a
scheduler. Defaults follow platform-notes §4: coalesce, no misfire grace limit.

`clock` is the bot's notion of now (tests and the console move it); APScheduler's own
triggers run on real time, so a due time is turned into a delay from the clock's now.
Tests drive rounds directly (`run_due`) instead of sleeping.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.dispatcher import Dispatcher
from bot.scheduler_meetings import MeetingJobs
from bot.storage.outbox import Outbox

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]

WAKE, SWEEP, PLAN, RETENTION = "wake", "sweep", "plan", "retention"
# A quiet hour for the daily purge; it only has to run about once a day.
RETENTION_AT = {"hour": 3, "minute": 30}
# Our own guard keeps rounds from overlapping; APScheduler must not skip a wake-up for it.
_MANY = 1000


def _real_now() -> datetime:
    return datetime.now(UTC)


class Scheduler:
    def __init__(
        self,
        dispatcher: Dispatcher,
        outbox: Outbox,
        meetings: MeetingJobs,
        clock: Clock,
        *,
        platforms: Collection[str] | None = None,
        sweep_seconds: float = 30.0,
        plan_every: timedelta = timedelta(hours=6),
        first_plan_after: timedelta = timedelta(seconds=30),
        real_now: Clock = _real_now,
        retention: Callable[[], Awaitable[int]] | None = None,
    ) -> None:
        self._dispatcher = dispatcher
        self._outbox = outbox
        self.meetings = meetings
        self._clock = clock
        self._platforms = tuple(platforms) if platforms is not None else None
        self._sweep_seconds = sweep_seconds
        self._plan_every = plan_every
        self._first_plan_after = first_plan_after
        self._real_now = real_now
        self._retention = retention
        self._aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": _MANY, "misfire_grace_time": None},
        )
        self._running = False
        self._again = False
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False
        self.next_wake: datetime | None = None  # in the clock's time, for tests and /metrics
        self.rounds = 0

    @property
    def started(self) -> bool:
        return bool(self._aps.running)

    @property
    def wake_at(self) -> datetime | None:
        """When APScheduler will next wake the dispatcher for a due row (real time)."""
        job = self._aps.get_job(WAKE)
        return job.next_run_time if job is not None else None

    @property
    def purge_at(self) -> datetime | None:
        """When the daily retention purge next runs (real time), if retention is wired."""
        job = self._aps.get_job(RETENTION)
        return job.next_run_time if job is not None else None

    def start(self) -> None:
        """Start on the running event loop: a round at once, then as rows come due."""
        now = self._real_now()
        self._aps.add_job(self._wake, IntervalTrigger(seconds=self._sweep_seconds), id=SWEEP, replace_existing=True)
        self._aps.add_job(
            self._plan_all,
            IntervalTrigger(seconds=self._plan_every.total_seconds()),
            id=PLAN,
            next_run_time=now + self._first_plan_after,
            replace_existing=True,
        )
        if self._retention is not None:
            self._aps.add_job(
                self.purge_expired, CronTrigger(timezone=UTC, **RETENTION_AT), id=RETENTION, replace_existing=True
            )
        self._aps.add_job(self._wake, DateTrigger(now), id=WAKE, replace_existing=True)
        self._aps.start()

    def stop(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=False)

    async def close(self, grace: float = 30.0) -> None:
        """Start no more rounds, let one under way finish (its rows would otherwise wait for
        their lease to run out), then stop."""
        self._closing = True
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            log.warning("scheduler: a round was still running after %s s at shutdown", grace)
        self.stop()

    async def run_forever(self) -> None:
        """`codev run`: start, then keep going until cancelled."""
        self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.close()

    def poke(self) -> None:
        """Rows were just committed: wake the dispatcher now (called after every commit that queued some)."""
        if self._running:
            self._again = True
        elif self._aps.running:
            self._aps.add_job(self._wake, DateTrigger(self._real_now()), id=WAKE, replace_existing=True)

    async def run_due(self) -> int:
        """One round now: deliver everything due at the clock's now, then plan the next wake."""
        handled = await self._dispatcher.run_once()
        await self._plan_wake()
        self.rounds += 1
        return handled

    async def _wake(self) -> None:
        if self._closing:
            return
        if self._running:
            self._again = True  # a round is under way: it goes round once more
            return
        self._running = True
        self._idle.clear()
        try:
            while True:
                self._again = False
                try:
                    await self.run_due()
                except Exception:
                    log.exception("scheduler round failed; the sweep retries")
                if not self._again or self._closing:
                    break
        finally:
            self._running = False
            self._idle.set()

    async def _plan_wake(self) -> None:
        self.next_wake = await self._outbox.next_due_at(platforms=self._platforms)
        if self.next_wake is None or not self._aps.running:
            return
        delay = max((self.next_wake - self._clock()).total_seconds(), 0.0)
        if delay >= self._sweep_seconds:
            return  # the sweep comes first anyway
        run_at = self._real_now() + timedelta(seconds=delay)
        self._aps.add_job(self._wake, DateTrigger(run_at), id=WAKE, replace_existing=True)

    async def purge_expired(self) -> int:
        """The daily retention run: purge what is past its period; never fails the scheduler."""
        if self._retention is None:
            return 0
        try:
            purged = await self._retention()
        except Exception:
            log.exception("retention purge failed; retried tomorrow")
            return 0
        if purged:
            log.info("retention: purged %s cases", purged)
        return purged

    async def _plan_all(self) -> None:
        try:
            added = await self.meetings.plan_all()
        except Exception:
            log.exception("planning meetings failed; retried at the next plan run")
            return
        if added:
            log.info("planned %s meeting jobs", added)
            self.poke()
