"""Incoming events as one journal line: every kind comes back exactly as it was written."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.incoming import ButtonPress, FormSubmission, Incoming, Origin, Payload, SlashCommand, ThreadReply
from bot.storage.incoming_codec import decode, encode

ORIGIN = Origin("slack", "T1", "C1", "UANN", "Ann", thread_ref="1800000000.000001", timezone="Europe/Paris")
AWKWARD = 'Line one\nline two\r\n\ttabbed "quoted" \\ back\u2028separated <!channel> <@U1|ann> é 日本 🎉\x00'


def one_line(encoded: bytes) -> bool:
    return b"\n" not in encoded and b"\r" not in encoded and encoded.isascii()


@pytest.mark.parametrize(
    "payload",
    [
        SlashCommand("setup Leaders en UTC"),
        ThreadReply("How long has this lasted?", "1800000000.000042"),
        ThreadReply("no message ref"),
        ButtonPress("no_more_questions", "case-1", "v"),
        ButtonPress("accept_charter"),
        FormSubmission("submit", {"kind": "problem", "title": "A conflict", "question": "How?"}, "case-1"),
        FormSubmission("setup", {}),
    ],
    ids=lambda payload: type(payload).__name__,
)
def test_each_kind_of_payload_round_trips(payload: Payload) -> None:
    incoming = Incoming(ORIGIN, payload, "Ev0001")

    assert decode(encode(incoming)) == incoming


def test_the_decoded_payload_is_of_the_kind_that_was_encoded() -> None:
    incoming = Incoming(ORIGIN, ButtonPress("pass", "case-1"), "Ev0001")

    assert type(decode(encode(incoming)).payload) is ButtonPress


def test_an_event_without_an_id_round_trips_without_one() -> None:
    incoming = Incoming(Origin("discord", "G1", "C9", "U2", "Bob"), SlashCommand("help"))

    assert decode(encode(incoming)).event_id is None


def test_an_origin_without_a_thread_or_timezone_round_trips() -> None:
    incoming = Incoming(Origin("discord", "G1", "C9", "U2", "Bob"), ThreadReply("hi"), "E1")

    assert decode(encode(incoming)) == incoming


def test_text_with_newlines_unicode_and_mentions_stays_one_ascii_line() -> None:
    incoming = Incoming(ORIGIN, ThreadReply(AWKWARD, "m1"), "Ev\u00e9")

    assert one_line(encode(incoming))


def test_text_with_newlines_unicode_and_mentions_round_trips_exactly() -> None:
    incoming = Incoming(
        Origin("slack", "T1", "C1", "U\u00e9", "Ann \u65e5\u672c\n2", thread_ref="t"),
        FormSubmission("submit", {"context": AWKWARD, "key\nwith newline": "\u2029"}, "case-1"),
        "Ev1",
    )

    decoded = decode(encode(incoming))

    assert decoded == incoming
    assert isinstance(decoded.payload, FormSubmission)
    assert decoded.payload.values["context"] == AWKWARD


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"not json at all",
        b'{"kind": "reply"',
        b"\xff\xfe\x00",
        b"null",
        b"[]",
        b'"a string"',
        b"{}",
        b'{"origin": {}, "kind": "reply", "payload": {"text": "hi"}}',
        b'{"origin": {"platform": "slack", "workspace_id": "T1", "channel_id": "C1", "user_id": "U",'
        b' "display_name": "Ann"}, "kind": "telepathy", "payload": {}}',
        b'{"origin": {"platform": "slack", "workspace_id": "T1", "channel_id": "C1", "user_id": "U",'
        b' "display_name": "Ann"}, "kind": "reply", "payload": {"words": "hi"}}',
        b'{"origin": "slack", "kind": "reply", "payload": {"text": "hi"}}',
        b'+1 {"torn',
    ],
)
def test_garbage_raises_value_error(garbage: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - any ValueError (JSON's own included) is the contract
        decode(garbage)


# --- any event at all ------------------------------------------------------------------

texts = st.text(max_size=40)
maybe = st.none() | texts
origins = st.builds(Origin, texts, texts, texts, texts, texts, maybe, maybe)
payloads: st.SearchStrategy[Payload] = st.one_of(
    st.builds(SlashCommand, texts),
    st.builds(ThreadReply, texts, maybe),
    st.builds(ButtonPress, texts, maybe, texts),
    st.builds(FormSubmission, texts, st.dictionaries(texts, texts, max_size=4), maybe),
)
events = st.builds(Incoming, origins, payloads, maybe)


@given(events)
def test_any_event_is_one_ascii_line_that_decodes_to_itself(incoming: Incoming) -> None:
    encoded = encode(incoming)

    assert one_line(encoded)
    assert decode(encoded) == incoming


@pytest.mark.parametrize("origin", [ORIGIN, Origin("discord", "G1", "C9", "U2", 'Bob "the" \u00e9')])
def test_a_line_is_the_plain_json_of_the_event(origin: Origin) -> None:
    # Journals written before keep decoding, and lines stay one JSON document.
    incoming = Incoming(origin, FormSubmission("submit", {"title": AWKWARD}, "case-1"), "Ev0001")
    plain = {
        "origin": {
            "platform": origin.platform,
            "workspace_id": origin.workspace_id,
            "channel_id": origin.channel_id,
            "user_id": origin.user_id,
            "display_name": origin.display_name,
            "thread_ref": origin.thread_ref,
            "timezone": origin.timezone,
        },
        "kind": "form",
        "payload": {"form_id": "submit", "values": {"title": AWKWARD}, "case_id": "case-1"},
        "event_id": "Ev0001",
    }

    assert encode(incoming) == json.dumps(plain, separators=(",", ":")).encode()
