"""Rules about what people write: limits, advice detection, plan and update parsing.

Pure functions. Anything a person can get wrong raises `DomainError` with a catalog key.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.flows.errors import DomainError
from bot.flows.model import ActionItem, ItemStatus

# Slack keeps messages whole up to 40,000 characters; nothing we accept is longer.
MAX_REPLY = 40_000
# Slack modal text inputs hold 3,000 characters; forms share the limit on every platform.
MAX_FIELD = 3_000
MAX_TITLE = 150
MAX_ITEMS = 5
MAX_ITEM_TEXT = 500
MAX_COMMENT = 2_000


def clean_text(text: str, *, limit: int, field: str) -> str:
    """Strip the text and refuse it when empty or longer than `limit`."""
    stripped = text.strip()
    if not stripped:
        raise DomainError("error.empty_text", field=f"field.{field}")
    if len(stripped) > limit and field == "reply":  # a reply may be sent in parts
        raise DomainError("error.reply_too_long", limit=limit, length=len(stripped))
    if len(stripped) > limit:
        raise DomainError("error.text_too_long", field=f"field.{field}", limit=limit, length=len(stripped))
    return stripped


def optional_text(text: str, *, limit: int, field: str) -> str:
    stripped = text.strip()
    if len(stripped) > limit:
        raise DomainError("error.text_too_long", field=f"field.{field}", limit=limit, length=len(stripped))
    return stripped


_ADVICE_MARKERS = (
    # English
    "you should",
    "you could",
    "you need to",
    "you must",
    "have you tried",
    "have you considered",
    "have you thought about",
    "why don't you",
    "why not ",
    "i would ",
    "i'd ",
    "i suggest",
    "my advice",
    "if i were you",
    "try to ",
    # French
    "tu devrais",
    "vous devriez",
    "tu pourrais",
    "vous pourriez",
    "as-tu essayé",
    "avez-vous essayé",
    "as-tu pensé",
    "avez-vous pensé",
    "il faut",
    "il faudrait",
    "je te conseille",
    "je vous conseille",
    "je suggère",
    "pourquoi ne pas",
    "à ta place",
    "à votre place",
)


# Ways to ask that contain a marker: "I'd like to know…", "what have you tried?".
_ASKING = ("i would like", "i'd like", "i would love", "i'd love", "i would be curious", "i'd be curious")
_QUESTION_WORDS = frozenset(
    {"what", "which", "how", "who", "whom", "where", "when", "else", "qu'", "quoi", "comment", "quand", "où", "qui"}
)


# How a thank-you or an acknowledgement starts ("Thanks for the answer!", "Ok, merci."): no
# question, yet no advice either.
_ACKNOWLEDGING = re.compile(
    r"^(?:thanks|thank you|thx|ok|okay|got it|understood|noted|great|perfect|i see|makes sense|"
    r"yes|yep|sure|agreed|sounds good|looks good|count me in|happy to help|i can help|"
    r"merci|d'accord|compris|noté|parfait|super|je vois|oui|entendu|ça me va|je peux aider|volontiers)\b"
)


def reads_as_advice(text: str) -> bool:
    """A clarification reply that is no question, or advice phrased as one ("have you tried…?"),
    but not a question that only contains a marker ("what have you tried so far?"), nor a
    thank-you or a "+1" with no advice marker in it."""
    lowered = " ".join(text.lower().split())
    if "?" not in lowered:
        return not _acknowledges(lowered)
    for asking in _ASKING:
        lowered = lowered.replace(asking, " ")
    return any(_advises(lowered, marker) for marker in _ADVICE_MARKERS)


def _acknowledges(lowered: str) -> bool:
    if not any(character.isalpha() for character in lowered):  # "+1", an emoji, nothing visible
        return True
    return bool(_ACKNOWLEDGING.match(lowered)) and not any(marker in lowered for marker in _ADVICE_MARKERS)


def _advises(lowered: str, marker: str) -> bool:
    start = lowered.find(marker)
    while start != -1:
        word_before = lowered[:start].rstrip().rsplit(" ", 1)[-1]
        if word_before not in _QUESTION_WORDS:
            return True
        start = lowered.find(marker, start + 1)
    return False


_RESERVATION_MARKERS = (
    "reformulate",
    "rephrase",
    "unclear",
    "not clear",
    "vague",
    "not sure",
    "disagree",
    "reformuler",
    "reformule",
    "pas clair",
    "flou",
    "pas sûr",
    "pas sure",
    "désaccord",
)


def reads_as_reservation(text: str) -> bool:
    """A reply to a contract or plan that asks for changes rather than agreeing to it."""
    lowered = " ".join(text.lower().split())
    return "?" in lowered or any(marker in lowered for marker in _RESERVATION_MARKERS)


# "Contract: …" / "Contrat : …": how a client says a reply is the contract, whatever it asks.
_CONTRACT_LABEL = re.compile(r"^\s*(?:contract|contrat)\s*:\s*", re.IGNORECASE)


def contract_wording(text: str) -> str:
    """The contract a client's reply states: the reply without its 'Contract:' label, if any."""
    return _CONTRACT_LABEL.sub("", text, count=1).strip() or text


def rewords_contract(text: str) -> bool:
    """Whether a client's reply, after a call to reformulate, is the new wording: any reply
    but a question, which answers whoever asked; a wording that asks one says 'Contract:'."""
    return bool(_CONTRACT_LABEL.match(text)) or "?" not in text


_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)]|\[ \])\s+")
_DUE = re.compile(
    r"\s*(?:[(\[]\s*)?(?:by|due|before|avant(?: le)?|pour le|d['’]ici(?: le| au)?|le)?\s*:?\s*"
    r"(\d{4}-\d{2}-\d{2})\s*(?:[)\]])?\s*$",
    re.IGNORECASE,
)


def without_bullet(line: str) -> str:
    """A line without the bullet, number or checkbox it starts with ("2) call Ana": "call Ana")."""
    return _BULLET.sub("", line.strip() + " ", count=1).strip()


def lists_actions(text: str) -> bool:
    """Whether a reply lists actions as bullets or numbers (the only way to revise a posted
    plan by reply: a plain multi-line thank-you must not replace it)."""
    return any(_BULLET.match(line) for line in text.splitlines())


def parse_due(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError("error.bad_date", value=text.strip()) from None


def parse_plan(text: str, today: date) -> tuple[str, tuple[ActionItem, ...]]:
    """Split a client's plan reply into a synthesis and 1–5 items.

    Bulleted or numbered lines are items (the rest is the synthesis); with no bullets,
    every line after the first is an item. An item may end with an ISO due date,
    e.g. "- call the board (by 2026-12-01)".
    """
    lines = [line for line in text.strip().splitlines() if line.strip()]
    bulleted = [line for line in lines if _BULLET.match(line)]
    if bulleted:
        synthesis_lines = [line for line in lines if not _BULLET.match(line)]
        raw_items = [_BULLET.sub("", line) for line in bulleted]
    else:
        synthesis_lines, raw_items = lines[:1], lines[1:]
    if not raw_items:
        raise DomainError("error.plan_needs_items", limit=MAX_ITEMS, field="field.actions")
    if len(raw_items) > MAX_ITEMS:
        raise DomainError("error.plan_too_many_items", limit=MAX_ITEMS, count=len(raw_items), field="field.actions")
    items = tuple(_parse_item(raw, today) for raw in raw_items)
    synthesis = optional_text("\n".join(synthesis_lines), limit=MAX_FIELD, field="synthesis")
    return synthesis, items


def _parse_item(raw: str, today: date) -> ActionItem:
    due: date | None = None
    found = _DUE.search(raw)
    if found:
        due = parse_due(found.group(1))
        raw = raw[: found.start()]
    what = clean_text(raw.rstrip(" -–:,"), limit=MAX_ITEM_TEXT, field="action")
    return make_item(what, due, "", today)


def make_item(what: str, due: date | None, indicator: str, today: date) -> ActionItem:
    if due is not None and due < today:
        raise DomainError("error.date_in_past", value=due.isoformat())
    return ActionItem(
        what=clean_text(what, limit=MAX_ITEM_TEXT, field="action"),
        due=due,
        indicator=optional_text(indicator, limit=MAX_ITEM_TEXT, field="indicator"),
    )


_STATUS_WORDS: dict[str, ItemStatus] = {
    "done": ItemStatus.DONE,
    "fait": ItemStatus.DONE,
    "faite": ItemStatus.DONE,  # "une action", feminine
    "terminé": ItemStatus.DONE,
    "terminée": ItemStatus.DONE,
    "partly": ItemStatus.PARTLY,
    "partial": ItemStatus.PARTLY,
    "partially": ItemStatus.PARTLY,
    "partiel": ItemStatus.PARTLY,
    "partielle": ItemStatus.PARTLY,
    "partiellement": ItemStatus.PARTLY,
    "en cours": ItemStatus.PARTLY,
    "dropped": ItemStatus.DROPPED,
    "abandoned": ItemStatus.DROPPED,
    "abandonné": ItemStatus.DROPPED,
    "abandonnée": ItemStatus.DROPPED,
    "changed": ItemStatus.CHANGED,
    "modifié": ItemStatus.CHANGED,
    "modifiée": ItemStatus.CHANGED,
    "changé": ItemStatus.CHANGED,
    "changée": ItemStatus.CHANGED,
}
_UPDATE = re.compile(
    # "Action 2 done", "l'action 2 : fait": the word people put before the number is optional.
    r"^\s*(?:(?:l')?(?:action|item)\s*)?#?(?P<item>\d+)?\s*[:.)-]?\s*(?:(?:is|est)\s+)?(?P<status>"
    # Longest first, so that "terminée" is not read as "terminé" and a stray "e".
    + "|".join(sorted(_STATUS_WORDS, key=len, reverse=True))
    + r")\b\s*[:,-]?\s*",
    re.IGNORECASE,
)


def parse_status(word: str) -> ItemStatus:
    try:
        return _STATUS_WORDS[word.strip().lower()]
    except KeyError:
        raise DomainError("error.bad_status", value=word.strip()) from None


def parse_update(text: str, item_count: int) -> tuple[int, ItemStatus, str] | None:
    """Read "2 done: it went well" (item number optional with a single item); None if unclear."""
    found = _UPDATE.match(text)
    if not found:
        return None
    number = found.group("item")
    if number is None:
        if item_count != 1:
            return None
        item = 1
    else:
        item = int(number)
    note = text[found.end() :].strip()
    return item, _STATUS_WORDS[found.group("status").lower()], note


def parse_updates(text: str, item_count: int) -> list[tuple[int, ItemStatus, str]]:
    """One update per line that reads as one ("1 done", then "2 dropped: no time"); a line
    that does not goes on the note of the update above it (lines before the first stay in
    the reply only). Empty when no line reads as one."""
    updates: list[tuple[int, ItemStatus, str]] = []
    for line in text.splitlines():
        found = parse_update(line, item_count)
        if found is not None:
            updates.append(found)
        elif updates and line.strip():
            item, status, note = updates[-1]
            updates[-1] = (item, status, f"{note}\n{line.strip()}".strip())
    return updates


_DURATION = re.compile(r"^\s*(\d{1,3})\s*(d|day|days|j|jour|jours|h|hour|hours|heure|heures)\s*$")


def duration_text(span: timedelta, language: str) -> str:
    """A span as `parse_duration` reads it back: whole days ("2d", in French "2j"), else hours."""
    hours = int(span.total_seconds() // 3600)
    return f"{hours // 24}{'j' if language == 'fr' else 'd'}" if hours % 24 == 0 else f"{hours}h"


def parse_duration(text: str) -> timedelta:
    """ "2d", "36h", "3 jours": a positive span of at most 30 days."""
    found = _DURATION.match(text.lower())
    if not found:
        raise DomainError("error.bad_duration", value=text.strip())
    amount = int(found.group(1))
    hours = found.group(2).startswith("h")
    span = timedelta(hours=amount) if hours else timedelta(days=amount)
    if span <= timedelta(0) or span > timedelta(days=30):
        raise DomainError("error.bad_duration", value=text.strip())
    return span
