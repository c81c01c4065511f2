"""Incoming events as one line of JSON, for the inbox journal, and back."""

from __future__ import annotations

import json
from dataclasses import fields
from functools import lru_cache
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
ORIGINS_KEPT = 1024


def encode(incoming: Incoming) -> bytes:
    """One line: {"origin":…,"kind":…,"payload":…,"event_id":…}. Encoded before every
    acknowledgement, so the origin's part, the same for a person's every reply in a thread,
    is encoded once and kept."""
    payload = incoming.payload
    values = {name: getattr(payload, name) for name in _FIELDS[type(payload)]}
    if isinstance(payload, FormSubmission):
        values["values"] = dict(payload.values)
    origin, kind = _encoded_origin(incoming.origin), _NAMES[type(payload)]
    rest = f'"payload":{_ENCODER.encode(values)},"event_id":{_ENCODER.encode(incoming.event_id)}'
    return f'{{"origin":{origin},"kind":"{kind}",{rest}}}'.encode("ascii")


@lru_cache(maxsize=ORIGINS_KEPT)
def _encoded_origin(origin: Origin) -> str:
    return _ENCODER.encode({name: getattr(origin, name) for name in _ORIGIN_FIELDS})


def decode(line: bytes) -> Incoming:
    """The event `encode` wrote; ValueError if the line is not one."""
    try:
        record: dict[str, Any] = json.loads(line)
        kind = _KINDS[record["kind"]]
        return Incoming(Origin(**record["origin"]), kind(**record["payload"]), record.get("event_id"))
    except (KeyError, TypeError, AttributeError) as unreadable:
        raise ValueError(f"not a journaled event: {unreadable!r}") from unreadable
