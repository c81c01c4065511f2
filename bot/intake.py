"""Reading `/codev …` text: the subcommand, its arguments, and what they ask for.

Pure parsing, shared by every adapter. Platform mentions (`<@U123>`, `<@123>`, `@name`)
are reduced to the bare id or name; the service resolves names to members.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.flows.errors import DomainError
from bot.flows.model import MeetingRule
from bot.flows.text_rules import parse_due

SUBCOMMANDS: tuple[str, ...] = (
    "help",
    "setup",
    "join",
    "leave",
    "remove",
    "members",
    "submit",
    "status",
    "advance",
    "extend",
    "pause",
    "resume",
    "withdraw",
    "reassign",
    "queue",
    "meetings",
    "schedule",
    "update",
    "settings",
    "export",
    "journal",
    "forget-me",
)
MAX_COMMAND = 4_000
SCHEDULE_YEARS_AHEAD = 5  # a meeting date further away is a typo, and past what dates can hold in some zones

_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("monday", "mon", "lundi"),
            ("tuesday", "tue", "mardi"),
            ("wednesday", "wed", "mercredi"),
            ("thursday", "thu", "jeudi"),
            ("friday", "fri", "vendredi"),
            ("saturday", "sat", "samedi"),
            ("sunday", "sun", "dimanche"),
        )
    )
    for name in names
}
_MENTION = re.compile(r"^<@!?([A-Za-z0-9_.-]+)(?:\|[^>]*)?>$")
_CASE_REF = re.compile(r"^#?(\d{1,6})$")
# In ASCII text without these, shlex.split and str.split agree: no quoting, and no
# whitespace that str.split breaks on but shlex does not.
_NOT_PLAIN = frozenset("'\"\\\x0b\x0c\x1c\x1d\x1e\x1f")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2})|h(\d{2})?)$")  # 15:00, 15h00, 15h


@dataclass(frozen=True, slots=True)
class Parsed:
    sub: str
    args: tuple[str, ...]


# Subcommands that only answer from what is stored: they write nothing, whatever their arguments.
READ_ONLY: frozenset[str] = frozenset({"help", "members", "status", "meetings"})


def reads_only(text: str) -> bool:
    """Whether the command only reads (its first word is a READ_ONLY subcommand)."""
    words = text.split(maxsplit=1)
    return bool(words) and words[0].lower().lstrip("/") in READ_ONLY


def parse(text: str) -> Parsed:
    """Split the command text; an unknown subcommand raises with the help key."""
    if len(text) > MAX_COMMAND:
        raise DomainError("error.text_too_long", field="field.command", limit=MAX_COMMAND, length=len(text))
    if text.isascii() and not _NOT_PLAIN.intersection(text):
        words = text.split()  # what shlex would make of it, at a fraction of the cost
    else:
        try:
            words = shlex.split(text.strip())
        except ValueError:
            words = text.strip().split()
    if not words:
        return Parsed("help", ())
    sub = words[0].lower().lstrip("/")
    if sub not in SUBCOMMANDS:
        raise DomainError("error.unknown_subcommand", sub=words[0][:40])
    return Parsed(sub, tuple(words[1:]))


def named_case(text: str) -> int | None:
    """The case number a command's first argument names ("status 3"), if it looks like one.

    A hint for reading that case with the circle: `parse` and `split_case_ref` still decide
    what the command means, so a word this reads differently only costs a query more.
    """
    words = text.split(maxsplit=2)
    found = _CASE_REF.match(words[1]) if len(words) > 1 else None
    return int(found.group(1)) if found else None


def user_ref(word: str) -> str:
    found = _MENTION.match(word.strip())
    if found:
        return found.group(1)
    return word.strip().lstrip("@")


def split_case_ref(args: tuple[str, ...]) -> tuple[int | None, tuple[str, ...]]:
    """A leading case number ("3" or "#3"), if any, and the remaining arguments."""
    if args:
        found = _CASE_REF.match(args[0])
        if found:
            return int(found.group(1)), args[1:]
    return None, args


def parse_clock(word: str) -> time:
    found = _TIME.match(word.strip().lower())
    hours, minutes = (int(found.group(1)), int(found.group(2) or found.group(3) or 0)) if found else (99, 99)
    if hours > 23 or minutes > 59:
        raise DomainError("error.bad_time", value=word)
    return time(hours, minutes)


@dataclass(frozen=True, slots=True)
class ScheduleRequest:
    rule: MeetingRule | None = None
    clear_rule: bool = False
    add: datetime | None = None
    skip: date | None = None


def parse_schedule(args: tuple[str, ...], today: date) -> ScheduleRequest:
    """`every 4 weeks on tuesday at 15:00 [from DATE]`, `DATE HH:MM`, `skip DATE`, `clear`."""
    request = _schedule_request(args, today)
    named = (
        request.skip or (request.add.date() if request.add else None) or (request.rule.starts if request.rule else None)
    )
    if named is not None and named > today + timedelta(days=366 * SCHEDULE_YEARS_AHEAD):
        raise DomainError("error.date_too_far", value=named.isoformat(), years=SCHEDULE_YEARS_AHEAD)
    return request


def _schedule_request(args: tuple[str, ...], today: date) -> ScheduleRequest:
    words = [w.lower() for w in args]
    if not words:
        raise DomainError("error.schedule_usage")
    if words == ["clear"]:
        return ScheduleRequest(clear_rule=True)
    if words[0] == "skip" and len(words) == 2:
        return ScheduleRequest(skip=parse_due(words[1]))
    if words[0] in ("every", "chaque", "toutes") and len(words) >= 3:
        return ScheduleRequest(rule=_rule(words, today))
    if words[0] in ("clear", "skip"):  # with a word too many or too few, not a date to read
        raise DomainError("error.schedule_usage")
    if len(words) == 2:
        return ScheduleRequest(add=datetime.combine(parse_due(words[0]), parse_clock(words[1])))
    raise DomainError("error.schedule_usage")


def _rule(words: list[str], today: date) -> MeetingRule:
    rest = [w for w in words[1:] if w not in ("on", "at", "le", "à", "les", "semaine", "semaines")]
    every = 1
    if rest and rest[0].isdigit():
        every = int(rest.pop(0))
    if rest and rest[0] in ("week", "weeks"):
        rest.pop(0)
    starts = today
    if "from" in rest or "dès" in rest:
        marker = rest.index("from") if "from" in rest else rest.index("dès")
        if marker + 1 >= len(rest):
            raise DomainError("error.schedule_usage")
        starts = parse_due(rest[marker + 1])
        rest = rest[:marker] + rest[marker + 2 :]
    if len(rest) != 2 or rest[0] not in _WEEKDAYS or not 1 <= every <= 12:
        raise DomainError("error.schedule_usage")
    return MeetingRule(weekday=_WEEKDAYS[rest[0]], at=parse_clock(rest[1]), every_weeks=every, starts=starts)
