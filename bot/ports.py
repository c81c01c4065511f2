"""Ports between the core and the outside: how effects reach a chat platform.

An adapter implements `Deliverer`; the dispatcher resolves where an effect goes (an
`Address`) from storage and hands both over. Adapters never read storage themselves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from bot.flows.effects import Effect
from bot.incoming import Incoming, Outcome


@dataclass(frozen=True, slots=True)
class Address:
    """Where an effect lands on its platform."""

    platform: str
    workspace_id: str
    channel_id: str
    thread_ref: str | None = None  # the case card's message id, which roots the thread


class DeliveryError(Exception):
    """Delivery failed. `permanent` means retrying cannot help (channel gone, bot removed)."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Progress:
    """How far the messages of one effect got, over every attempt to deliver it.

    An effect may go out as several messages (a long text in pieces, a note then the case
    card). If one fails part-way, the next attempt starts at the first message not sent,
    so nobody sees a piece twice. A deliverer sends each message through `part`, in the
    same order on every attempt.
    """

    __slots__ = ("_next", "first_ref", "sent")

    def __init__(self, sent: int = 0, first_ref: str | None = None) -> None:
        self.sent = sent  # messages sent, by this attempt and earlier ones
        self.first_ref = first_ref  # the platform's id of the first of them
        self._next = 0

    async def part(self, send: Callable[[], Awaitable[str | None]]) -> str | None:
        """Send the next message unless an earlier attempt did; its id (`first_ref` for the
        first, None for a later one sent before)."""
        index = self._next
        self._next += 1
        if index < self.sent:
            return self.first_ref if index == 0 else None
        ref = await send()
        self.sent = index + 1
        if index == 0:
            self.first_ref = ref
        return ref


class Deliverer(Protocol):
    """What an adapter offers the dispatcher: render one effect at one address."""

    platform: str

    async def deliver(self, effect: Effect, address: Address, progress: Progress) -> str | None:
        """Send the effect, each of its messages through `progress`; return the platform's id
        of the message created, if any."""
        ...


class Handler(Protocol):
    """The core as an adapter calls it (`bot.service.Codev`)."""

    async def handle(self, incoming: Incoming) -> Outcome: ...


# What an adapter does once an accepted event is applied (None: it could not be, and was set aside).
FollowUp = Callable[[Outcome | None], Coroutine[Any, Any, None]]


class Intake(Handler, Protocol):
    """The core behind the inbox (`bot.inbox.Inbox`): `handle` answers now; `accept` journals
    the event so it can be acknowledged at once, and applies it soon, then calls `then`."""

    def accept(self, incoming: Incoming, then: FollowUp | None = None) -> None: ...

    def receiving(self) -> AbstractContextManager[None]:
        """Held while a request is being received, so acknowledgements go before applying."""
        ...


class ChatAdapter(Deliverer, Protocol):
    """A chat platform: delivers effects, and listens for people until cancelled."""

    async def serve(self, core: Intake) -> None:
        """Receive events and hand them to `core`; return only when stopped."""
        ...
