"""Making user text inert: re-posted anywhere, it pings no one.

Mentions of everyone (`@everyone`, `@here`, `@channel`), Slack's special forms
(`<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>`, `<@U…>`) and Discord's
(`<@…>`, `<@!…>`, `<@&…>`) are rewritten as plain text with a zero-width space after the
`@`, the way chat clients show a mention that does not notify. Everything else is kept
as written. Adapters may reuse `neutralise` for any text they re-post.
"""

from __future__ import annotations

import re
from collections.abc import Callable

ZWSP = "\u200b"

# <@U123>, <@U123|name>, <@!123>, <@&123> (a Discord role), <!here>, <!subteam^S1|@team>, …
_ANGLE = re.compile(r"<([@!])([!&]?)([^<>|\s]{1,128})(?:\|([^<>]{0,200}))?>")
_BROADCAST = re.compile(r"@(?=(everyone|here|channel|all)\b)", re.IGNORECASE)
# A Discord role or a Slack user group written with its handle: @&123, @!123.
_BARE_ID = re.compile(r"@(?=[!&]\d)")

NameOf = Callable[[str], str | None]


def neutralise(text: str, name_of: NameOf | None = None) -> str:
    """`text` with every mention made inert; `name_of` turns user ids into names if known."""

    def angle(found: re.Match[str]) -> str:
        sigil, modifier, target, label = found.groups()
        if sigil == "!":  # Slack special mentions: <!here>, <!channel>, <!subteam^S1|@team>
            word = (label or target.split("^")[0]).lstrip("@")
            return f"@{ZWSP}{word}"
        if modifier == "&":  # a Discord role
            return f"@{ZWSP}{label.lstrip('@') if label else 'role'}"
        shown = label.lstrip("@") if label else (name_of(target) if name_of else None) or target
        return f"@{ZWSP}{shown}"

    inert = _ANGLE.sub(angle, text)
    inert = _BROADCAST.sub("@" + ZWSP, inert)
    return _BARE_ID.sub("@" + ZWSP, inert)


def pings(text: str) -> bool:
    """Whether `text` still holds a form that notifies someone (used by tests and adapters)."""
    return bool(_ANGLE.search(text) or re.search(r"@(everyone|here|channel|all)\b", text, re.IGNORECASE))
