"""What the sender of a thread reply hears privately: that it could not be recorded, or what
its outcome says to them alone. A DM, or a mention in the case thread when DMs are closed."""

from __future__ import annotations

from typing import Any

import pytest

from bot.flows.effects import Notice
from bot.inbox import Inbox
from bot.incoming import Incoming, Outcome, ThreadReply
from bot.ports import Handler
from bot.storage.journal import Journal

from .journey import case_thread, recorded, submit_case
from .world import CONSULTANTS, World

NOT_RECORDED = "could not record it"


class RepliesFail:
    """The core, failing on every thread reply (a bug in a step): the inbox sets them aside."""

    def __init__(self, core: Handler) -> None:
        self._core = core

    async def handle(self, incoming: Incoming) -> Outcome:
        if isinstance(incoming.payload, ThreadReply):
            raise RuntimeError("a bug in the engine")
        return await self._core.handle(incoming)


class RepliesNoted:
    """The core, answering every thread reply with a private notice, as a refusal would."""

    def __init__(self, core: Handler, text: str) -> None:
        self._core, self._text = core, text

    async def handle(self, incoming: Incoming) -> Outcome:
        if isinstance(incoming.payload, ThreadReply):
            return Outcome(notices=(Notice(self._text),), refused=True)
        return await self._core.handle(incoming)


class FullDisk(Journal):
    """A journal on a disk that has just filled up: nothing more can be appended."""

    def append(self, entry: bytes) -> int:
        raise OSError(28, "No space left on device")


async def case_in_clarification(world: World) -> str:
    """A circle with a case in clarification; its thread."""
    fake = world.fake
    await world.circle_of(fake.text_id, "ann", *CONSULTANTS)
    await submit_case(world, "ann", fake.text_id)
    await world.phase_shown(1, "Clarification")
    return await case_thread(world, 1)


async def restart_on(world: World, core: Handler, journal: type[Journal] = Journal) -> None:
    """Restart the bot on `core`, behind an inbox that sets a failing event aside at once."""
    inbox = Inbox(core, journal(world.journal_folder()), retry_pauses=(0.0,))
    await inbox.start()
    await world.restart(inbox=inbox)


def mentions_of(world: World, who: str, thread: str, marker: str = "") -> list[dict[str, Any]]:
    ping = f"<@{world.fake.members[who].id}>"
    return [m for m in world.fake.in_channel(thread) if m["content"].startswith(ping) and marker in m["content"]]


def dms_with(world: World, who: str, marker: str) -> list[dict[str, Any]]:
    return [m for m in world.fake.dm_messages(who) if marker in m["content"]]


@pytest.mark.asyncio
async def test_a_thread_reply_that_is_set_aside_gets_its_sender_a_dm_saying_it_was_not_recorded(world: World) -> None:
    fake = world.fake
    thread = await case_in_clarification(world)
    await restart_on(world, RepliesFail(world.app.codev))

    reply = await fake.say("bob", thread, "Since when has this been going on?")

    (told,) = await fake.wait_for(lambda: dms_with(world, "bob", NOT_RECORDED))
    assert f"/{fake.guild_id}/{thread}/{reply}" in told["content"]  # a link to the reply meant
    assert told["allowed_mentions"] == {"parse": []}
    assert not mentions_of(world, "bob", thread, NOT_RECORDED)


@pytest.mark.asyncio
async def test_with_closed_dms_a_set_aside_reply_is_announced_in_the_thread_mentioning_only_its_sender(
    world: World,
) -> None:
    fake = world.fake
    thread = await case_in_clarification(world)
    await restart_on(world, RepliesFail(world.app.codev))
    bob = fake.members["bob"].id
    fake.closed_dms.add(str(bob))

    await fake.say("bob", thread, "Since when has this been going on?")

    (told,) = await fake.wait_for(lambda: mentions_of(world, "bob", thread, NOT_RECORDED))
    assert told["allowed_mentions"]["parse"] == []  # no @everyone, no roles
    assert [str(user) for user in told["allowed_mentions"]["users"]] == [str(bob)]
    assert fake.calls_to("POST", r"/users/@me/channels")  # a DM was tried first
    assert not fake.dm_messages("bob")


@pytest.mark.asyncio
async def test_a_thread_reply_that_cannot_be_journaled_gets_its_sender_a_dm_saying_it_was_not_recorded(
    world: World,
) -> None:
    fake = world.fake
    thread = await case_in_clarification(world)
    await restart_on(world, world.app.codev, journal=FullDisk)

    await fake.say("bob", thread, "Since when has this been going on?")

    assert await fake.wait_for(lambda: dms_with(world, "bob", NOT_RECORDED))


@pytest.mark.asyncio
async def test_a_private_notice_in_the_outcome_of_a_thread_reply_reaches_its_sender_by_dm(world: World) -> None:
    fake = world.fake
    thread = await case_in_clarification(world)
    await restart_on(world, RepliesNoted(world.app.codev, "Only Bob may read this."))

    await fake.say("bob", thread, "Since when has this been going on?")

    assert await fake.wait_for(lambda: dms_with(world, "bob", "Only Bob may read this."))
    assert not mentions_of(world, "bob", thread, "Only Bob may read this.")


@pytest.mark.asyncio
async def test_a_thread_reply_recorded_without_remark_sends_its_sender_nothing_privately(world: World) -> None:
    fake = world.fake
    thread = await case_in_clarification(world)
    before = len(fake.dm_messages("bob"))

    await fake.say("bob", thread, "Since when has this been going on?")
    await recorded(world, "Since when has this been going on?")
    await world.drained()  # applied, followed up, and whatever was due delivered

    assert len(fake.dm_messages("bob")) == before
    assert not mentions_of(world, "bob", thread)
