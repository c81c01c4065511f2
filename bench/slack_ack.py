"""How fast the Slack app acknowledges: `/codev status` and a thread reply, over loopback HTTP.

Both apps run in this process on 127.0.0.1, in HTTP mode, with signature verification on,
against a minimal fake Web API:
- codev: the real adapter (`SlackAdapter`), inbox, service and storage on a temporary SQLite
  file, with a circle of five, one case in clarification. Both requests are journaled, then
  acknowledged, then applied: `/codev status` is answered through its response_url, a thread
  reply becomes a new contribution.
- bare: a Bolt AsyncApp whose listeners only ack, in Bolt's default mode (ack, then the
  listener runs) and with `process_before_response=True` (Codev's mode), same server code.

Requests are signed beforehand (signing is the client's cost); each is timed from send to the
full response. Concurrency 1, 10 and 50 means that many clients sending back to back. Rounds
alternate apps; after each codev round the bench waits, untimed, until everything it
acknowledged is applied, so that work never lands in a bare app's round. Each client's first
request in a round is not timed, in every app alike: the first requests after a switch of
apps were slow in all three (8 of the 16 slowest at concurrency 1 were first of their round),
a cost of the alternation, not of an app. The warm-up before a level opens as many
connections as the level has clients, so no timed round connects. p50/p99 in
milliseconds and the ratio codev p99 / bare p99 (target: ≤ 1.25 against either bare app).
Eight rounds of 200 by default: with 600 samples the p99 was the sixth-worst request, and one
stall more or less in a round decided it.
Also printed: how long after sending each codev request was applied (the status answer
received at its response_url; the reply committed). Prints figures; asserts nothing.

    PYTHONPATH=. .venv/bin/python bench/slack_ack.py [--requests N] [--rounds N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from pydantic import SecretStr
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.adapter import SlackAdapter, Tuning
from bot.adapters.slack.server import HttpServer, web_application
from bot.bootstrap import build, collect_while_idle, tune_collector
from bot.config import BehaviourSettings, DatabaseSettings, DiscordSettings, ServerSettings, Settings, SlackSettings
from bot.inbox import Inbox
from bot.incoming import ButtonPress, FormSubmission, Incoming, Origin, Outcome
from bot.ports import Handler
from bot.storage.journal import Journal
from bot.storage.uow import UnitOfWork

SECRET = "bench-secret"
TEAM, CHANNEL = "T1", "C1"
FAC, CLIENT = "UFAY", "UANN"
CONSULTANTS = ("UBOB", "UCY", "UDAN")
LEVELS = (1, 10, 50)
Send = Callable[[], Awaitable[None]]


Arrivals = dict[str, float]  # request key -> perf_counter() when it was applied


async def fake_web_api(answered: Arrivals) -> tuple[web.AppRunner, str]:
    counter = itertools.count(1)

    async def response_url(request: web.Request) -> web.Response:
        answered[request.match_info["key"]] = time.perf_counter()
        return web.Response(text="ok")

    async def api(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "auth.test":
            return web.json_response({"ok": True, "team_id": TEAM, "user_id": "UCODEVBOT", "bot_id": "BCODEV"})
        ts = f"{1_700_000_000 + next(counter)}.000100"
        return web.json_response(
            {"ok": True, "ts": ts, "channel": {"id": "D1"} if method == "conversations.open" else CHANNEL}
        )

    app = web.Application()
    app.router.add_route("*", "/api/{method}", api)
    app.router.add_post("/response/{key}", response_url)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/api/"


def settings(database_url: str, api_url: str, inbox_dir: Path) -> Settings:
    none: dict[str, Any] = {"_env_file": None}
    return Settings(
        database=DatabaseSettings(url=database_url, **none),
        slack=SlackSettings(**none, bot_token=SecretStr("xoxb-T1"), signing_secret=SecretStr(SECRET), api_url=api_url),
        discord=DiscordSettings(**none),
        server=ServerSettings(**none, port=0, host="127.0.0.1"),
        behaviour=BehaviourSettings(**none, inbox_dir=inbox_dir),
    )


async def prepare_circle(handle: Callable[[Incoming], Awaitable[Any]]) -> None:
    def origin(user: str) -> Origin:
        return Origin("slack", TEAM, CHANNEL, user, user.lower())

    from bot.incoming import SlashCommand

    await handle(Incoming(origin(FAC), SlashCommand("setup Bench en UTC")))
    for user in (CLIENT, *CONSULTANTS):
        await handle(Incoming(origin(user), SlashCommand("join")))
        await handle(Incoming(origin(user), ButtonPress("accept_charter")))
    values = {"kind": "problem", "title": "Bench case", "context": "Context.", "question": "Why?"}
    await handle(Incoming(origin(CLIENT), FormSubmission("submit", values)))


class Applied:
    """The core, noting when each thread reply (by event id) was applied."""

    def __init__(self, core: Handler, applied: Arrivals) -> None:
        self._core = core
        self._applied = applied

    async def handle(self, incoming: Incoming) -> Outcome:
        outcome = await self._core.handle(incoming)
        if incoming.event_id:  # the adapter names Slack's event ids "slack:<event_id>"
            self._applied[incoming.event_id.removeprefix("slack:")] = time.perf_counter()
        return outcome


Signed = tuple[str, bytes, dict[str, str]]  # the request's key, body, headers


class Requests:
    """Pre-signed request bodies: commands and thread-reply events with fresh event ids."""

    def __init__(self, thread_ts: str, api_url: str) -> None:
        self._thread_ts = thread_ts
        self._responses = api_url.removesuffix("/api/") + "/response/"
        self._ids = itertools.count(1)

    def _signed(self, body: str, content_type: str) -> tuple[bytes, dict[str, str]]:
        stamp = str(int(time.time()))
        signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
        assert signature is not None  # None only when no secret is set
        headers = {"content-type": content_type, "x-slack-request-timestamp": stamp, "x-slack-signature": signature}
        return body.encode(), headers

    def status(self) -> Signed:
        n = next(self._ids)
        fields = {
            "team_id": TEAM,
            "channel_id": CHANNEL,
            "user_id": CONSULTANTS[n % 3],
            "user_name": "bench",
            "command": "/codev",
            "text": "status",
            "api_app_id": "ABENCH",
            "response_url": f"{self._responses}s{n}",
            "trigger_id": f"t{n}",
        }
        return (f"s{n}", *self._signed(urlencode(fields), "application/x-www-form-urlencoded"))

    def reply(self) -> Signed:
        n = next(self._ids)
        event = {
            "type": "message",
            "channel": CHANNEL,
            "user": CONSULTANTS[n % 3],
            "text": f"Question number {n}?",
            "ts": f"1800000000.{n:06d}",
            "thread_ts": self._thread_ts,
            "team": TEAM,
        }
        body = {
            "team_id": TEAM,
            "api_app_id": "ABENCH",
            "type": "event_callback",
            "event_id": f"EvB{n:09d}",
            "event_time": int(time.time()),
            "event": event,
        }
        return (f"EvB{n:09d}", *self._signed(json.dumps(body), "application/json"))


async def measure(
    http: aiohttp.ClientSession,
    url: str,
    make: Callable[[], Signed],
    total: int,
    concurrency: int,
    sent: Arrivals | None = None,
) -> list[float]:
    """`total` timed requests from `concurrency` clients, each of which sends one untimed
    request first (see the module's docstring)."""
    prepared = [make() for _ in range(total + concurrency)]
    queue = iter(prepared)
    timings: list[float] = []

    async def client() -> None:
        timed = False
        for key, body, headers in queue:
            started = time.perf_counter()
            if sent is not None:
                sent[key] = started
            async with http.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status}")
            if timed:
                timings.append((time.perf_counter() - started) * 1000)
            timed = True

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return timings


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bare_app(api_url: str, *, process_before_response: bool) -> AsyncApp:
    app = AsyncApp(
        signing_secret=SECRET,
        client=AsyncWebClient(token="xoxb-T1", base_url=api_url),
        process_before_response=process_before_response,
    )

    async def command(ack: AsyncAck) -> None:
        await ack()

    async def message() -> None:
        return None

    app.command("/codev")(command)
    app.event("message")(message)
    return app


async def run(requests_per_round: int, rounds: int, database_url: str | None) -> None:
    logging.disable(logging.WARNING)
    applied: Arrivals = {}
    fake, api_url = await fake_web_api(applied)
    with tempfile.TemporaryDirectory() as folder:
        config = settings(
            database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}", api_url, Path(folder) / "inbox"
        )
        adapter = SlackAdapter(config, tuning=Tuning(pace_seconds=0.0))
        codev_app = await build(config, deliverers={"slack": adapter}, worker_id="bench")
        inbox = Inbox(  # as bootstrap.build makes it
            Applied(codev_app.codev, applied), Journal(config.behaviour.inbox_dir), on_idle=collect_while_idle
        )
        await inbox.start()
        await adapter.start(inbox)
        await prepare_circle(codev_app.codev.handle)
        await codev_app.dispatcher.run_once()
        async with UnitOfWork(codev_app.sessions) as uow:
            circle = await uow.circles.get_by_channel("slack", TEAM, CHANNEL)
            assert circle is not None
            [case] = await uow.cases.list_for_circle(circle.id, active_only=True)
            thread_ts = await uow.cases.thread_ref(case.id)
        assert thread_ts is not None
        bares = {}
        for name, before in (("bare (default)", False), ("bare (process_before_response)", True)):
            server = HttpServer(web_application(bare_app(api_url, process_before_response=before)), "127.0.0.1", 0)
            await server.start()
            bares[name] = server
        urls = {"codev": f"http://127.0.0.1:{adapter.port}/slack/events"}
        urls |= {name: f"http://127.0.0.1:{server.port}/slack/events" for name, server in bares.items()}
        requests = Requests(thread_ts, api_url)
        results: dict[tuple[str, str, int], list[float]] = {}
        connector = aiohttp.TCPConnector(limit=0)

        async def settled() -> None:  # untimed: what codev acknowledged is applied before the next round
            await inbox.settle()
            await adapter.settle()

        tune_collector()  # as `codev run` does once started
        async with aiohttp.ClientSession(connector=connector) as http:
            for kind, make in (("/codev status", requests.status), ("thread reply", requests.reply)):
                for level in LEVELS:
                    for url in urls.values():  # warm-up
                        await measure(http, url, make, max(20, level), level)
                    await settled()
                    for _ in range(rounds):
                        for name, url in urls.items():
                            sent: Arrivals | None = {} if name == "codev" else None
                            results.setdefault((kind, name, level), []).extend(
                                await measure(http, url, make, requests_per_round, level, sent)
                            )
                            if sent is not None:
                                await settled()
                                results.setdefault((kind, "codev applied", level), []).extend(
                                    (applied[key] - at) * 1000 for key, at in sent.items() if key in applied
                                )
                                results.setdefault((kind, "codev not applied", level), []).extend(
                                    0.0 for key in sent if key not in applied
                                )
        await adapter.stop()
        await inbox.stop()
        for server in bares.values():
            await server.stop()
        await codev_app.close()
    await fake.cleanup()
    report(results, tuple(urls))


def report(results: dict[tuple[str, str, int], list[float]], names: Sequence[str]) -> None:
    print(f"{'request':<14} {'conc':>4}  {'app':<32} {'n':>5} {'p50 ms':>8} {'p99 ms':>8}  p99 ratio codev/app")
    for kind in ("/codev status", "thread reply"):
        for level in LEVELS:
            codev_p99 = pct(results[(kind, "codev", level)], 0.99)
            for name in names:
                values = results[(kind, name, level)]
                p99 = pct(values, 0.99)
                ratio = "" if name == "codev" else f"{codev_p99 / p99:5.2f}x"
                p50 = statistics.median(values)
                print(f"{kind:<14} {level:>4}  {name:<32} {len(values):>5} {p50:8.2f} {p99:8.2f}  {ratio}")
            applied = results.get((kind, "codev applied", level), [])
            missing = len(results.get((kind, "codev not applied", level), []))
            if applied or missing:
                p50, p99 = (statistics.median(applied), pct(applied, 0.99)) if applied else (0.0, 0.0)
                label = "codev: sent -> applied"
                counts = f"{len(applied):>5} {p50:8.2f} {p99:8.2f}  ({missing} not applied)"
                print(f"{kind:<14} {level:>4}  {label:<32} {counts}")
        print()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=200, help="requests per app, level and round (default 200)")
    parser.add_argument("--rounds", type=int, default=8, help="alternating rounds (default 8)")
    parser.add_argument(
        "--database-url", help="an empty database to use instead of a temporary SQLite file (e.g. PostgreSQL)"
    )
    args = parser.parse_args(argv)
    print(f"database: {'SQLite (temporary file)' if not args.database_url else args.database_url}")
    asyncio.run(run(args.requests, args.rounds, args.database_url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
