"""What the sender of an event replayed after a restart is told, through their platform's adapter."""

from __future__ import annotations

import pytest

from bot.flows.effects import Button, DirectMessage, Effect, Form, Notice
from bot.incoming import Incoming, Origin, Outcome, ThreadReply
from bot.ports import Address, DeliveryError, Progress
from bot.replayed import tell_sender

ORIGIN = Origin("slack", "T1", "C1", "UBOB", "Bob", thread_ref="1800000000.000001")
EVENT = Incoming(ORIGIN, ThreadReply("Is it weekly?", "m1"), "slack:Ev1")


class FakeDeliverer:
    """A Deliverer that records what it is given; fails when told to."""

    platform = "slack"

    def __init__(self, failure: DeliveryError | None = None) -> None:
        self.delivered: list[tuple[Effect, Address]] = []
        self._failure = failure

    async def deliver(self, effect: Effect, address: Address, progress: Progress) -> str | None:
        if self._failure is not None:
            raise self._failure
        self.delivered.append((effect, address))
        return None


@pytest.mark.asyncio
async def test_each_notice_of_a_replayed_event_reaches_its_sender_as_a_direct_message() -> None:
    slack = FakeDeliverer()
    follow_up = tell_sender({"slack": slack}, "en")(EVENT)
    assert follow_up is not None
    button = Button("open_form", "Open the form", "case-1")

    await follow_up(Outcome(notices=(Notice("That sounds like advice."), Notice("Noted.", (button,)))))

    assert [(effect.user_id, effect.buttons) for effect, _ in slack.delivered] == [("UBOB", ()), ("UBOB", (button,))]
    assert all(isinstance(effect, DirectMessage) for effect, _ in slack.delivered)


@pytest.mark.asyncio
async def test_a_replayed_notice_says_where_the_event_came_from_and_what_codev_answered() -> None:
    slack = FakeDeliverer()
    follow_up = tell_sender({"slack": slack}, "en")(EVENT)
    assert follow_up is not None

    await follow_up(Outcome(notices=(Notice("That sounds like advice."),)))

    [(effect, address)] = slack.delivered
    assert isinstance(effect, DirectMessage)
    assert "<#C1>" in effect.text
    assert effect.text.endswith("That sounds like advice.")
    assert address == Address("slack", "T1", "C1", "1800000000.000001")


@pytest.mark.asyncio
async def test_the_sender_of_a_replayed_event_that_was_set_aside_reads_that_it_was_not_recorded() -> None:
    slack = FakeDeliverer()
    follow_up = tell_sender({"slack": slack}, "fr")(EVENT)
    assert follow_up is not None

    await follow_up(None)

    [(effect, _)] = slack.delivered
    assert isinstance(effect, DirectMessage)
    assert "Rien n'a été enregistré" in effect.text


@pytest.mark.asyncio
async def test_a_replayed_event_with_nothing_to_say_sends_nothing() -> None:
    slack = FakeDeliverer()
    follow_up = tell_sender({"slack": slack}, "en")(EVENT)
    assert follow_up is not None

    await follow_up(Outcome())

    assert slack.delivered == []


@pytest.mark.asyncio
async def test_the_sender_of_a_replayed_command_that_opens_a_form_is_asked_to_run_it_again() -> None:
    slack = FakeDeliverer()
    follow_up = tell_sender({"slack": slack}, "en")(EVENT)
    assert follow_up is not None

    await follow_up(Outcome(form=Form("submit", "Bring a case", "Send", ())))

    [(effect, _)] = slack.delivered
    assert isinstance(effect, DirectMessage)
    assert "run the command again" in effect.text


def test_an_event_of_a_platform_without_an_adapter_here_has_no_follow_up() -> None:
    assert tell_sender({"discord": FakeDeliverer()}, "en")(EVENT) is None


@pytest.mark.asyncio
async def test_a_direct_message_that_fails_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    follow_up = tell_sender({"slack": FakeDeliverer(DeliveryError("channel_not_found"))}, "en")(EVENT)
    assert follow_up is not None

    await follow_up(None)

    assert "channel_not_found" in caplog.text
