"""Circle settings people may change, each with its parser: `window.consultation 3d`, …"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.flows.errors import DomainError
from bot.flows.model import TIMED_PHASES, CircleSettings, ClientInteraction, Language, Phase
from bot.flows.text_rules import parse_duration

_YES = frozenset({"yes", "y", "true", "on", "1", "oui", "vrai"})
_NO = frozenset({"no", "n", "false", "off", "0", "non", "faux"})


def check_timezone(name: str) -> str:
    """The zone's canonical name, whatever its case ("america/montreal" is America/Montreal)."""
    wanted = name.strip()
    try:
        ZoneInfo(wanted)
    except (ZoneInfoNotFoundError, ValueError):
        found = _zones_by_folded_name().get(wanted.casefold())
        if found is None:
            raise DomainError("error.bad_timezone", value=wanted).about("timezone") from None
        return found
    return wanted


@functools.cache
def _zones_by_folded_name() -> dict[str, str]:
    return {zone.casefold(): zone for zone in available_timezones()}


def parse_language(value: str) -> Language:
    try:
        return Language(value.strip().lower())
    except ValueError:
        raise DomainError("error.bad_choice", value=value, choices="en, fr").about("language") from None


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise DomainError("error.bad_choice", value=value, choices="yes, no")


def _count(value: str, low: int, high: int) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise DomainError("error.bad_number", value=value, low=low, high=high)
    return number


def _interaction(value: str) -> ClientInteraction:
    try:
        return ClientInteraction(value.strip().lower())
    except ValueError:
        choices = ", ".join(ClientInteraction)
        raise DomainError("error.bad_choice", value=value, choices=choices) from None


_KEEP = frozenset({"keep", "garder", "never", "jamais", "none", "aucune", "off", "no", "non"})


def _retention(value: str) -> int | None:
    """Days a closed case keeps its words, or None: "keep" (and its synonyms) never purges."""
    if value.strip().lower() in _KEEP:
        return None
    try:
        return _count(value, 1, 3650)
    except DomainError:
        raise DomainError("error.bad_retention", value=value) from None


def _lead(value: str) -> timedelta:
    return parse_duration(value)


_FIELDS: dict[str, tuple[str, Callable[[str], object]]] = {
    "language": ("language", parse_language),
    "timezone": ("timezone", check_timezone),
    "client_interaction": ("client_interaction", _interaction),
    "facilitators_consult": ("facilitators_consult", _flag),
    "nudge_lead": ("nudge_lead", _lead),
    "digest_lead": ("digest_lead", _lead),
    "followup_meetings": ("followup_meetings", lambda v: _count(v, 1, 12)),
    "retention_days": ("retention_days", _retention),
}
SETTING_NAMES: tuple[str, ...] = (*_FIELDS, *(f"window.{phase}" for phase in TIMED_PHASES))


def apply_setting(settings: CircleSettings, key: str, value: str) -> CircleSettings:
    name = key.strip().lower()
    if name.startswith("window."):
        try:
            phase = Phase(name.removeprefix("window."))
        except ValueError:
            phase = Phase.CLOSED
        if phase not in TIMED_PHASES:
            raise DomainError("error.unknown_setting", name=key, known=", ".join(SETTING_NAMES))
        windows = {**settings.windows, phase: parse_duration(value)}
        return dataclasses.replace(settings, windows=windows)
    if name not in _FIELDS:
        raise DomainError("error.unknown_setting", name=key, known=", ".join(SETTING_NAMES))
    field, parse = _FIELDS[name]
    return dataclasses.replace(settings, **{field: parse(value)})  # type: ignore[arg-type]
