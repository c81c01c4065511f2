"""Engine values to JSON-able dicts and back, through pydantic's view of the dataclasses.

The dataclasses stay plain (the engine knows nothing of pydantic); TypeAdapters read their
annotations, so enums, frozensets, tuples, timedeltas and datetimes round-trip exactly.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from bot.flows.effects import Effect
from bot.flows.model import Case, Circle, Contribution

JSONDict = dict[str, Any]

_circle = TypeAdapter(Circle)
_case = TypeAdapter(Case)
_contribution = TypeAdapter(Contribution)
# The `kind` literal on each effect picks the dataclass when reading back.
_effect: TypeAdapter[Effect] = TypeAdapter(Annotated[Effect, Field(discriminator="kind")])


def encode_circle(circle: Circle) -> JSONDict:
    return _dump(_circle, circle)


def decode_circle(data: JSONDict) -> Circle:
    return _circle.validate_python(data)


def encode_case(case: Case) -> JSONDict:
    return _dump(_case, case)


def decode_case(data: JSONDict) -> Case:
    return _case.validate_python(data)


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
