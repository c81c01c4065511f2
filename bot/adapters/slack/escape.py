"""Making user text safe to show in Slack: no broadcast ever pings, nothing breaks the markup.

Slack reads `<…>` as markup and `&`, `<`, `>` must be escaped in message text. Text written by
people comes back through the bot (titles, questions, parked advice), so before it is shown:
`<!channel>`, `<!here>`, `<!everyone>` and user groups (`<!subteam^…>`) become plain words,
the bare words `@channel`, `@here` and `@everyone` get a word joiner after the `@` (so no
client or `link_names` turns them into a broadcast), user and channel mentions and links stay
as written, and every other `<`, `>` and `&` is escaped.
"""

from __future__ import annotations

import re

WORD_JOINER = "\u2060"
_MARKUP = re.compile(r"<([^<>\n]*)>")
_BARE_BROADCAST = re.compile(r"(?i)(?<![\w&])@(channel|here|everyone)\b")
_KEPT = re.compile(r"^(?:@[UW][A-Z0-9]+|#C[A-Z0-9]+|https?://|mailto:)")
_SLACK_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def unescape_incoming(text: str) -> str:
    """Text as a person typed it: Slack sends `&`, `<` and `>` escaped in message events."""
    for entity, char in _SLACK_ENTITIES:
        text = text.replace(entity, char)
    return text


def _plain(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BARE_BROADCAST.sub(lambda found: f"@{WORD_JOINER}{found.group(1)}", text)


def _special(inner: str) -> str:
    """`<!…>`: a broadcast, a user group or a date; shown as words that ping nobody."""
    command, _, label = inner[1:].partition("|")
    name = command.split("^", 1)[0]
    if name == "date" and label:
        return _plain(label)
    if name == "subteam":
        shown = label.lstrip("@") or "group"
        return _plain(f"@{WORD_JOINER}{shown}")
    return _plain(f"@{WORD_JOINER}{name or 'mention'}")


def escape(text: str) -> str:
    """User-facing text made safe for Slack's mrkdwn and plain_text fields."""
    out: list[str] = []
    last = 0
    for found in _MARKUP.finditer(text):
        out.append(_plain(text[last : found.start()]))
        inner = found.group(1)
        if inner.startswith("!"):
            out.append(_special(inner))
        elif _KEPT.match(inner):
            out.append(found.group(0))
        else:
            out.append(_plain(found.group(0)))
        last = found.end()
    out.append(_plain(text[last:]))
    return "".join(out)


def plain(text: str) -> str:
    """For `plain_text` objects (buttons, headers, modal labels): Slack reads no markup
    there, but broadcasts are still turned into words, so nothing even reads as one."""

    def neutral(found: re.Match[str]) -> str:
        inner = found.group(1)
        if not inner.startswith("!"):
            return found.group(0)
        return unescape_incoming(_special(inner))

    text = _MARKUP.sub(neutral, text)
    return _BARE_BROADCAST.sub(lambda found: f"@{WORD_JOINER}{found.group(1)}", text)
