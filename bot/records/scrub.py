"""Replacing one person by their pseudonym in stored values: ids in fields, names in text (pure)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Rewrite = Callable[[str], str]


def text_scrubber(user_id: str, names: tuple[str, ...], replacement: str) -> Rewrite:
    """Rewrites a text so neither `user_id` (bare or in a platform mention) nor any of `names`
    (as a whole word, as written) is left in it; each becomes `replacement`."""
    forms = [
        rf"<@[!&]?{re.escape(user_id)}(?:\|[^<>]*)?>",
        rf"(?<![\w.-]){re.escape(user_id)}(?![\w-])",
    ]
    # Longest first, so "Dan Roy" goes whole rather than leaving " Roy" after "Dan".
    for name in sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True):
        forms.append(rf"@?(?<!\w){re.escape(name)}(?!\w)")
    pattern = re.compile("|".join(f"(?:{form})" for form in forms))

    def rewrite(text: str) -> str:
        return pattern.sub(lambda _found: replacement, text)

    return rewrite


def keep(text: str) -> str:
    return text


# Keys of stored effects whose values are codes, not prose: never rewritten as text.
CODE_KEYS = frozenset({"kind", "timer", "action", "form_id", "name", "job", "zone", "due_at", "meeting_at", "status"})


def replace_in_json(
    value: Any, user_id: str, alias: str, rewrite: Rewrite = keep, *, codes: frozenset[str] = CODE_KEYS
) -> Any:
    """A JSON value with every string equal to `user_id` replaced by `alias` (ids in fields)
    and every other string, except values of the `codes` keys, passed through `rewrite`
    (names and mentions in texts)."""
    if isinstance(value, str):
        return alias if value == user_id else rewrite(value)
    if isinstance(value, list):
        return [replace_in_json(item, user_id, alias, rewrite, codes=codes) for item in value]
    if isinstance(value, dict):
        return {
            (alias if key == user_id else key): (
                (alias if item == user_id else item)
                if key in codes
                else replace_in_json(item, user_id, alias, rewrite, codes=codes)
            )
            for key, item in value.items()
        }
    return value


def holds(value: Any, user_id: str) -> bool:
    """Whether some string of a JSON value is exactly `user_id` (an id stored in a field)."""
    if isinstance(value, str):
        return value == user_id
    if isinstance(value, list):
        return any(holds(item, user_id) for item in value)
    if isinstance(value, dict):
        return user_id in value or any(holds(item, user_id) for item in value.values())
    return False
