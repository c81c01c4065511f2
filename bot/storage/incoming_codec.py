"""Incoming events as one line of JSON, for the inbox journal, and back."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from bot.incoming import ButtonPress, FormSubmission, Incoming, Origin, Payload, SlashCommand, ThreadReply

_KINDS: dict[str, type[Payload]] = {
    "command": SlashCommand,
    "reply": ThreadReply,
    "button": ButtonPress,
    "form": FormSubmission,
}
_NAMES = {kind: name for name, kind in _KINDS.items()}
# Field names read once: `dataclasses.asdict` deep-copies every value, too slow before an ack.
_FIELDS = {kind: tuple(field.name for field in fields(kind)) for kind in _KINDS.values()}
_ORIGIN_FIELDS = tuple(field.name for field in fields(Origin))
# ensure_ascii keeps the line free of raw newlines and odd separators whatever people wrote.
_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))


def encode(incoming: Incoming) -> bytes:
    payload = incoming.payload
    values = {name: getattr(payload, name) for name in _FIELDS[type(payload)]}
    if isinstance(payload, FormSubmission):
        values["values"] = dict(payload.values)
    origin = incoming.origin
    record = {
        "origin": {name: getattr(origin, name) for name in _ORIGIN_FIELDS},
        "kind": _NAMES[type(payload)],
        "payload": values,
        "event_id": incoming.event_id,
    }
    return _ENCODER.encode(record).encode("ascii")


def decode(line: bytes) -> Incoming:
    """The event `encode` wrote; ValueError if the line is not one."""
    try:
        record: dict[str, Any] = json.loads(line)
        kind = _KINDS[record["kind"]]
        return Incoming(Origin(**record["origin"]), kind(**record["payload"]), record.get("event_id"))
    except (KeyError, TypeError, AttributeError) as unreadable:
        raise ValueError(f"not a journaled event: {unreadable!r}") from unreadable
