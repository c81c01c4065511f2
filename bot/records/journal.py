"""The learning journal: private entries of one member, and their learnings from every case.

Nobody but its author reads a journal: not other members, not facilitators. Entries live in
their own table; learnings are the member's own LEARNING contributions in the circle's cases.
A member who left still reads their journal (it is theirs, kept until they erase it) but no
longer writes in it: it is the journal of their practice in this circle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot import intake
from bot.flows.catalog import t
from bot.flows.effects import Form, FormField, Notice, SendFile
from bot.flows.errors import DomainError
from bot.flows.model import Case, Circle, Contribution, ContributionKind
from bot.flows.text_rules import MAX_FIELD, clean_text
from bot.incoming import Outcome
from bot.records.export import SHORT_ENOUGH
from bot.records.names import local, reader_zone
from bot.records.neutralise import neutralise
from bot.storage.records_repositories import JournalEntry
from bot.storage.uow import UnitOfWork

FORM_ID = "journal"
_LIST_WORDS = ("list", "liste", "read", "lire", "show")
_CASE_WORDS = ("case", "cas")


def journal_form(language: str) -> Form:
    return Form(
        FORM_ID,
        t(language, "records.journal.form_title"),
        t(language, "form.send"),
        (
            FormField("entry", t(language, "records.journal.field_entry"), long=True, max_length=MAX_FIELD),
            FormField("case", t(language, "records.journal.field_case"), required=False, max_length=6),
        ),
        language=language,
    )


def _require_reader(circle: Circle, actor: str) -> None:
    if circle.member(actor) is None and circle.departed_member(actor) is None:
        raise DomainError("error.not_member")


def _require_writer(circle: Circle, actor: str) -> None:
    if circle.member(actor) is not None:
        return
    if circle.departed_member(actor) is not None:
        raise DomainError("records.error.journal_closed")
    raise DomainError("error.not_member")


async def slash(uow: UnitOfWork, circle: Circle, actor: str, args: tuple[str, ...], now: datetime) -> Outcome:
    """`/codev journal` opens the form; `/codev journal list` reads one's own journal back."""
    _require_reader(circle, actor)
    language = circle.settings.language
    if not args:
        _require_writer(circle, actor)
        return Outcome(form=journal_form(language))
    if args[0].lower() not in _LIST_WORDS:
        raise DomainError("records.error.journal_usage")
    if len(args) > 1 and intake.user_ref(args[1]) != actor:
        raise DomainError("records.error.journal_private")
    return await read(uow, circle, actor, now)


async def write(
    uow: UnitOfWork, circle: Circle, actor: str, values: Mapping[str, str], entry_id: str, now: datetime
) -> Outcome:
    _require_writer(circle, actor)
    text = clean_text(values.get("entry") or "", limit=MAX_FIELD, field="journal")
    written = (values.get("case") or "").strip()
    number = await _case_number(uow, circle, written)
    await uow.records.add_journal_entry(JournalEntry(entry_id, circle.id, actor, text, now, number))
    language = circle.settings.language
    if written and number is None:  # the entry matters more than its link: kept, and said so
        return Outcome(notices=(Notice(t(language, "records.journal.saved_without_case", number=written[:12])),))
    return Outcome(notices=(Notice(t(language, "records.journal.saved")),))


async def _case_number(uow: UnitOfWork, circle: Circle, written: str) -> int | None:
    """The case an entry is about, if `written` names one of the circle's."""
    if not written:
        return None
    # "3", "#3", or as people write it: "case 3", "cas 3".
    words = tuple(written.split())
    if len(words) == 2 and words[0].casefold() in _CASE_WORDS:
        words = words[1:]
    number, rest = intake.split_case_ref(words)
    if number is None or rest or await uow.cases.get_by_number(circle.id, number) is None:
        return None
    return number


async def read(uow: UnitOfWork, circle: Circle, actor: str, now: datetime) -> Outcome:
    entries = await uow.records.journal_of(circle.id, actor)
    cases = await uow.cases.list_for_circle(circle.id, active_only=False)
    purged = {purge.case_id for purge in await uow.records.purges_of(circle.id)}  # their words are gone
    learned = [
        item
        for item in await uow.records.contributions_of_circle(circle.id)
        if item.author_id == actor and item.kind is ContributionKind.LEARNING and item.case_id not in purged
    ]
    text = journal_text(circle, actor, entries, learned, cases)
    language = circle.settings.language
    if len(text) <= SHORT_ENOUGH:
        return Outcome(notices=(Notice(text),))
    caption = t(language, "records.journal.attached", size=len(text))
    await uow.outbox.add((SendFile(circle.id, actor, "journal.md", text, caption),), now)
    return Outcome(notices=(Notice(t(language, "records.journal.on_its_way")),))


def journal_text(
    circle: Circle,
    actor: str,
    entries: Sequence[JournalEntry],
    learned: Sequence[Contribution],
    cases: Sequence[Case],
) -> str:
    """The journal as its author reads it (pure)."""
    language = circle.settings.language
    zone = reader_zone(circle, actor)
    numbers = {case.id: case.number for case in cases}
    lines = [t(language, "records.journal.title", circle=neutralise(circle.name), zone=zone), ""]
    if not entries:
        lines.append(t(language, "records.journal.no_entries"))
    for entry in entries:
        about = f" ({t(language, 'records.journal.case', number=entry.case_number)})" if entry.case_number else ""
        lines.append(f"• {local(entry.at, zone)}{about}: {neutralise(entry.text)}")
    lines += ["", t(language, "records.journal.learnings")]
    if not learned:
        lines.append(t(language, "records.journal.no_learnings"))
    for item in learned:
        number = numbers.get(item.case_id, "?")
        lines.append(
            f"• {t(language, 'records.journal.case', number=number)}, {local(item.at, zone)}: {neutralise(item.text)}"
        )
    return "\n".join(lines)
