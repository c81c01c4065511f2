"""Engine values to JSON-able dicts and back, through pydantic's view of the dataclasses.

The dataclasses stay plain (the engine knows nothing of pydantic); TypeAdapters read their
annotations, so enums, frozensets, tuples, timedeltas and datetimes round-trip exactly.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Any, TypeVar

from pydantic import Field, TypeAdapter, ValidationError

from bot.flows.effects import Effect
from bot.flows.model import Case, Circle, Contribution

JSONDict = dict[str, Any]
T = TypeVar("T")

_circle = TypeAdapter(Circle)
_case = TypeAdapter(Case)
_contribution = TypeAdapter(Contribution)
# The `kind` literal on each effect picks the dataclass when reading back.
_effect: TypeAdapter[Effect] = TypeAdapter(Annotated[Effect, Field(discriminator="kind")])

# Every event reads its circle and its case, which change far less often than they are read:
# the value decoded from a stored text is remembered by that text. The values are frozen
# dataclasses that nobody changes in place, so one instance can serve every reader.
# Bounded, as each entry holds a document and its value.
DECODED_DOCUMENTS = 256


def encode_circle(circle: Circle) -> JSONDict:
    return _dump(_circle, circle)


def decode_circle(data: JSONDict) -> Circle:
    return _circle.validate_python(data)


@lru_cache(maxsize=DECODED_DOCUMENTS)
def decode_circle_text(text: str) -> Circle:
    """A circle from its document as stored (JSON text)."""
    return _from_text(_circle, text)


def encode_case(case: Case) -> JSONDict:
    return _dump(_case, case)


def decode_case(data: JSONDict) -> Case:
    return _case.validate_python(data)


@lru_cache(maxsize=DECODED_DOCUMENTS)
def decode_case_text(text: str) -> Case:
    """A case from its document as stored (JSON text)."""
    return _from_text(_case, text)


def forget_decoded_documents() -> None:
    """Drop the remembered values, e.g. after an erasure rewrote the documents they came from."""
    decode_circle_text.cache_clear()
    decode_case_text.cache_clear()


def encode_contribution(contribution: Contribution) -> JSONDict:
    return _dump(_contribution, contribution)


def decode_contribution(data: JSONDict) -> Contribution:
    return _contribution.validate_python(data)


def encode_effect(effect: Effect) -> JSONDict:
    return _dump(_effect, effect)


def decode_effect(data: JSONDict) -> Effect:
    return _effect.validate_python(data)


def _dump(adapter: TypeAdapter[Any], value: object) -> JSONDict:
    dumped = adapter.dump_python(value, mode="json")
    assert isinstance(dumped, dict)
    return dumped


def _from_text(adapter: TypeAdapter[T], text: str) -> T:
    try:
        return adapter.validate_json(text)
    except ValidationError:
        # pydantic's own parser refuses the escaped lone surrogates ("\ud800") that Python's
        # json module writes; such a document reads as the dict decoders read it.
        return adapter.validate_python(json.loads(text))
