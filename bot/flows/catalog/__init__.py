"""The message catalog: every text a person reads, in English and French.

`t(language, key, **params)` formats one message. Parameters that are themselves catalog
keys (such as "phase.contract") are translated too, so refusals can name phases and roles
without the engine knowing any language.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.flows.catalog.cases import CASE_MESSAGES
from bot.flows.catalog.circles import CIRCLE_MESSAGES
from bot.flows.catalog.discord import DISCORD_MESSAGES
from bot.flows.catalog.errors import ERROR_MESSAGES
from bot.flows.catalog.records import RECORD_MESSAGES
from bot.flows.catalog.scheduling import SCHEDULING_MESSAGES
from bot.flows.catalog.service import SERVICE_MESSAGES
from bot.flows.catalog.slack import SLACK_MESSAGES

# key -> (English, French)
MESSAGES: Mapping[str, tuple[str, str]] = {
    **CASE_MESSAGES,
    **CIRCLE_MESSAGES,
    **DISCORD_MESSAGES,
    **ERROR_MESSAGES,
    **SERVICE_MESSAGES,
    **RECORD_MESSAGES,
    **SCHEDULING_MESSAGES,
    **SLACK_MESSAGES,
}
_INDEX = {"en": 0, "fr": 1}


def _param(language: str, value: object) -> object:
    if isinstance(value, str) and value in MESSAGES:
        return MESSAGES[value][_INDEX[language]]
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return ", ".join(str(_param(language, v)) for v in value)
    return value


def t(language: str, key: str, /, **params: object) -> str:
    """The message `key` in `language` ("en" or "fr"); an unknown key is a programming error."""
    template = MESSAGES[key][_INDEX[language]]  # a Language is a str: it finds its entry
    if not params and "{" not in template:
        return template  # most labels: nothing to fill in, no brace to unescape
    return template.format(**{name: _param(language, v) for name, v in params.items()})


def has(key: str) -> bool:
    return key in MESSAGES
