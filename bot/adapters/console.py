"""The console adapter: a terminal chat with Codev, no chat service needed.

Like errbot's text backend it is a real adapter, not a special case: typed lines become the
same incoming events Slack and Discord produce, they go through the same service, storage
and outbox, and the dispatcher delivers the effects through `ConsoleAdapter`, a `Deliverer`.

    codev console        (or python -m bot console)

Start with `/codev setup "Our circle"`, then `/as bob` and `/codev join`, and so on;
`/help` lists the console's own commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sys
import threading
from datetime import UTC, datetime
from typing import TextIO

from bot.adapters.console_adapter import PLATFORM, ConsoleAdapter
from bot.adapters.console_clock import ManualClock, parse_span
from bot.adapters.console_session import CHANNEL, WORKSPACE, ConsoleSession
from bot.bootstrap import build
from bot.config import Settings

__all__ = [
    "CHANNEL",
    "PLATFORM",
    "WORKSPACE",
    "ConsoleAdapter",
    "ConsoleSession",
    "ManualClock",
    "parse_span",
    "run_console",
]

BANNER = f"""\
Codev console: you are in the channel {CHANNEL} of the workspace {WORKSPACE}, as alice.
Set up a circle with /codev setup "Our circle", let others join (/as bob, then /codev join),
and bring a case with /codev submit. /help lists the console's commands; /quit leaves.
"""


class _StdinLines:
    """Reads lines on a daemon thread, so Ctrl-C never waits for a pending `input()`."""

    def __init__(self) -> None:
        self._requests: queue.Queue[tuple[str, asyncio.Future[str | None], asyncio.AbstractEventLoop]] = queue.Queue()
        threading.Thread(target=self._serve, name="console-input", daemon=True).start()

    async def read(self, prompt: str) -> str | None:
        """The next line typed, or None at the end of input."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[str | None] = loop.create_future()
        self._requests.put((prompt, answer, loop))
        return await answer

    def _serve(self) -> None:
        while True:
            prompt, answer, loop = self._requests.get()
            try:
                line: str | None = input(prompt)
            except EOFError:
                line = None
            loop.call_soon_threadsafe(_settle, answer, line)


def _settle(answer: asyncio.Future[str | None], line: str | None) -> None:
    if not answer.done():
        answer.set_result(line)


async def run_console(settings: Settings, *, out: TextIO | None = None) -> int:
    """`codev console`: an interactive chat on stdin/stdout; the end of input ends it (0)."""
    out = out or sys.stdout
    if sys.stdin.isatty():
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history for input())
    clock = ManualClock(datetime.now(UTC))
    adapter = ConsoleAdapter(out)
    app = await build(settings, clock=clock, deliverers={PLATFORM: adapter}, worker_id="console")
    try:
        session = ConsoleSession(app, adapter, clock, out)
        await session.start()
        out.write(BANNER)
        lines = _StdinLines()
        while True:
            line = await lines.read(session.prompt())
            if line is None:
                out.write("\n")
                return 0
            if not await session.feed(line):
                return 0
    finally:
        await app.close()
