"""The case record: one case as Markdown, built from values (pure).

Contributions are laid out in the order they were recorded, each exactly once and whole,
under a heading per phase; questions are numbered and each answer names the questions it
follows; consecutive advice from one consultant is grouped under their name. Every piece of
user text is neutralised so the file pings no one when re-posted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.flows.catalog import t
from bot.flows.model import Case, Circle, Contribution, ContributionKind, Phase
from bot.records.names import display_name, local
from bot.records.neutralise import neutralise
from bot.storage.records_repositories import PurgeRecord

K = ContributionKind
SHORT_ENOUGH = 1_900  # a record this short is also the file's message (fits one Discord message)


@dataclass(frozen=True, slots=True)
class Entry:
    """One contribution as the record shows it."""

    contribution: Contribution
    heading: str
    group: str | None = None  # advice: the consultant it is grouped under


@dataclass(frozen=True, slots=True)
class Section:
    phase: Phase
    entries: tuple[Entry, ...]


def sections(circle: Circle, contributions: Sequence[Contribution], language: str, zone: str) -> list[Section]:
    """Contributions in recorded order, cut into a section whenever the phase changes."""
    found: list[Section] = []
    current: list[Entry] = []
    phase: Phase | None = None
    questions = 0
    unanswered: list[int] = []
    for item in contributions:
        if item.phase is not phase and current:
            assert phase is not None
            found.append(Section(phase, tuple(current)))
            current = []
        phase = item.phase
        who = display_name(circle, item.author_id, language)
        when = local(item.at, zone)
        group = None
        if item.kind is K.QUESTION:
            questions += 1
            unanswered.append(questions)
            label = t(language, "records.question", number=questions)
        elif item.kind is K.ANSWER:
            label = _answer_label(language, unanswered)
            unanswered = []
        elif item.kind is K.ADVICE:
            label = t(language, "records.kind.advice")
            # Advice of the consultation phase is grouped by consultant, as it was given.
            group = who if item.phase is Phase.CONSULTATION else None
        else:
            label = t(language, f"records.kind.{item.kind}")
        notes = []
        if item.kind is K.ADVICE and item.phase is Phase.CLARIFICATION:
            notes.append(t(language, "records.offered_early"))
        elif item.out_of_role:
            notes.append(t(language, "records.out_of_role"))
        note = f" ({', '.join(notes)})" if notes else ""
        current.append(Entry(item, f"**{label}** — {who}, {when}{note}", group))
    if current:
        assert phase is not None
        found.append(Section(phase, tuple(current)))
    return found


def _answer_label(language: str, unanswered: list[int]) -> str:
    if not unanswered:
        return t(language, "records.kind.answer")
    if len(unanswered) == 1:
        return t(language, "records.answer_to", number=unanswered[0])
    if len(unanswered) == 2:
        return t(language, "records.answer_to_two", first=unanswered[0], last=unanswered[1])
    return t(language, "records.answer_to_many", first=unanswered[0], last=unanswered[-1])


def quoted(text: str) -> list[str]:
    """User text as a Markdown block quote: whole, and unable to open headings or lists."""
    return [f"> {line}" if line.strip() else ">" for line in neutralise(text).splitlines() or [""]]


def case_record(
    circle: Circle,
    case: Case,
    contributions: Sequence[Contribution],
    *,
    reader: str,
    zone: str,
    now: datetime,
    purge: PurgeRecord | None = None,
) -> str:
    """The Markdown record of `case`, for `reader`, with times in `zone`."""
    lang = circle.settings.language
    lines = [f"# {t(lang, 'records.case_title', number=case.number, title=neutralise(case.expose.title))}", ""]
    lines += _facts(circle, case, lang, zone)
    lines.append(
        t(lang, "records.prepared_for", reader=display_name(circle, reader, lang), at=local(now, zone), zone=zone)
    )
    lines.append("")
    if purge is not None:  # its contributions hold no words any more: the note says why
        lines += [t(lang, "records.case_purged", at=local(purge.at, zone), count=purge.contributions), ""]
        contributions = ()
    for section in sections(circle, contributions, lang, zone):
        lines += [f"## {t(lang, f'records.section.{section.phase}')}", ""]
        group: str | None = None
        for entry in section.entries:
            if entry.group is not None and entry.group != group:
                lines += [f"### {t(lang, 'records.advice_from', who=entry.group)}", ""]
            group = entry.group
            lines += [entry.heading, "", *quoted(entry.contribution.text), ""]
    lines += _plan_status(case, lang)
    return "\n".join(lines).rstrip() + "\n"


def _facts(circle: Circle, case: Case, lang: str, zone: str) -> list[str]:
    facts = [
        t(lang, "records.fact.circle", name=neutralise(circle.name)),
        t(lang, "records.fact.client", who=display_name(circle, case.client_id, lang)),
        t(lang, "records.fact.kind", kind=f"kind.{case.expose.kind}"),
        t(lang, "records.fact.phase", phase=f"phase.{case.phase}"),
        t(lang, "records.fact.opened", at=local(case.opened_at, zone)),
    ]
    if case.closed_at is not None:
        facts.append(t(lang, "records.fact.ended", at=local(case.closed_at, zone)))
    return [*(f"- {fact}" for fact in facts), ""]


def _plan_status(case: Case, lang: str) -> list[str]:
    """Where each action stands now (numbers and statuses; their words are in the plan above)."""
    if case.plan is None or not case.plan.items:
        return []
    lines = [f"## {t(lang, 'records.plan_status')}", ""]
    for number, item in enumerate(case.plan.items, start=1):
        due = f" ({t(lang, 'plan.due', due=item.due.isoformat())})" if item.due else ""
        action = f"{t(lang, 'records.action', number=number)}{due}"
        lines.append(f"- {t(lang, 'card.line', label=action, value=t(lang, f'status.{item.status}'))}")
    return [*lines, ""]


def record_filename(case: Case) -> str:
    return f"case-{case.number}.md"


def message_for(content: str, caption: str) -> str:
    """The file's message: the record itself when short, else a caption."""
    return content if len(content) <= SHORT_ENOUGH else caption
