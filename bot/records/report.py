"""The circle report: consultations held, each member's participation, follow-up completion,
the rotation so far, purges and erasures. Markdown, plus CSV for the per-member table.

`circle_report` is pure; `circle_files` reads what it needs through the unit of work.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.flows.cadence import next_meetings
from bot.flows.catalog import t
from bot.flows.effects import SendFile
from bot.flows.model import ACTIVE_PHASES, Case, Circle, Contribution, ContributionKind, Phase
from bot.records.export import SHORT_ENOUGH
from bot.records.names import display_name, local, reader_zone
from bot.records.neutralise import neutralise
from bot.storage.records_repositories import ErasureRecord, PurgeRecord
from bot.storage.uow import UnitOfWork

_MAX_MEETINGS = 200


@dataclass(frozen=True, slots=True)
class FollowUp:
    """One client's follow-up record over their cases."""

    settled: int = 0
    actions: int = 0
    meetings: int = 0
    updated_before: int = 0

    def __add__(self, other: FollowUp) -> FollowUp:
        return FollowUp(
            self.settled + other.settled,
            self.actions + other.actions,
            self.meetings + other.meetings,
            self.updated_before + other.updated_before,
        )


def follow_up_of(circle: Circle, case: Case, contributions: Sequence[Contribution], now: datetime) -> FollowUp:
    """Actions settled, and for each meeting since the plan, whether an update came before it."""
    if case.plan is None or not case.plan.items:
        return FollowUp()
    items = case.plan.items
    end = min(now, case.closed_at) if case.closed_at else now
    meetings = [m for m in next_meetings(circle, case.plan.posted_at, _MAX_MEETINGS) if m <= end]
    updates = [
        item.at for item in contributions if item.kind is ContributionKind.UPDATE and item.author_id == case.client_id
    ]
    updated = 0
    since = case.plan.posted_at
    for meeting in meetings:
        if any(since < at <= meeting for at in updates):
            updated += 1
        since = meeting
    return FollowUp(sum(1 for i in items if i.status.settled), len(items), len(meetings), updated)


@dataclass(frozen=True, slots=True)
class MemberRow:
    user_id: str
    name: str
    as_client: int
    by_phase: dict[Phase, int]
    follow_up: FollowUp


def member_rows(
    circle: Circle, cases: Sequence[Case], contributions: Sequence[Contribution], now: datetime
) -> list[MemberRow]:
    """Current members first (in joining order), then anyone else who took part."""
    lang = circle.settings.language
    people = [m.user_id for m in circle.members]
    for user in [case.client_id for case in cases] + [item.author_id for item in contributions]:
        if user not in people:
            people.append(user)
    by_case: dict[str, list[Contribution]] = {}
    for item in contributions:
        by_case.setdefault(item.case_id, []).append(item)
    rows = []
    for user in people:
        counts = Counter(item.phase for item in contributions if item.author_id == user)
        own = [case for case in cases if case.client_id == user]
        follow = FollowUp()
        for case in own:
            follow = follow + follow_up_of(circle, case, by_case.get(case.id, []), now)
        rows.append(MemberRow(user, display_name(circle, user, lang), len(own), dict(counts), follow))
    return rows


def _ratio(part: int, whole: int) -> str:
    return f"{part}/{whole}" if whole else "—"


def circle_report(
    circle: Circle,
    cases: Sequence[Case],
    contributions: Sequence[Contribution],
    purges: Sequence[PurgeRecord],
    erasures: Sequence[ErasureRecord],
    *,
    reader: str,
    now: datetime,
) -> tuple[str, str]:
    """(Markdown report, CSV of the per-member table)."""
    lang = circle.settings.language
    zone = reader_zone(circle, reader)
    phases = ACTIVE_PHASES
    ended = Counter(case.phase for case in cases)
    lines = [
        f"# {t(lang, 'records.report.title', name=neutralise(circle.name))}",
        "",
        t(lang, "records.report.prepared", reader=display_name(circle, reader, lang), at=local(now, zone), zone=zone),
        "",
        f"## {t(lang, 'records.report.consultations')}",
        "",
        t(
            lang,
            "records.report.held",
            count=len(cases),
            closed=ended[Phase.CLOSED],
            withdrawn=ended[Phase.WITHDRAWN],
            active=sum(1 for case in cases if case.active),
        ),
        "",
    ]
    by_case: dict[str, list[Contribution]] = {}
    for item in contributions:
        by_case.setdefault(item.case_id, []).append(item)
    if cases:
        lines += [
            "| " + " | ".join(t(lang, f"records.report.case_col.{col}") for col in _CASE_COLUMNS) + " |",
            "|" + "---|" * len(_CASE_COLUMNS),
        ]
        for case in sorted(cases, key=lambda c: c.number):
            follow = follow_up_of(circle, case, by_case.get(case.id, []), now)
            cells = (
                str(case.number),
                _cell(display_name(circle, case.client_id, lang)),
                local(case.opened_at, zone),
                t(lang, f"phase.{case.phase}"),
                str(len(by_case.get(case.id, []))),
                _ratio(follow.settled, follow.actions),
                _ratio(follow.updated_before, follow.meetings),
            )
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    rows = member_rows(circle, cases, contributions, now)
    header = [t(lang, "records.report.col.member"), t(lang, "records.report.col.as_client")]
    header += [t(lang, f"phase.{phase}") for phase in phases]
    header += [t(lang, "records.report.col.settled"), t(lang, "records.report.col.updates")]
    lines += [
        f"## {t(lang, 'records.report.members')}",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for row in rows:
        row_cells = [_cell(row.name), str(row.as_client), *(str(row.by_phase.get(p, 0)) for p in phases)]
        row_cells += [
            _ratio(row.follow_up.settled, row.follow_up.actions),
            _ratio(row.follow_up.updated_before, row.follow_up.meetings),
        ]
        lines.append("| " + " | ".join(row_cells) + " |")
    lines += ["", t(lang, "records.report.members_note"), ""]
    lines += _rotation(circle, cases, lang, zone)
    lines += _privacy(purges, erasures, lang, zone)
    return "\n".join(lines).rstrip() + "\n", _csv(rows, phases, header)


_CASE_COLUMNS = ("case", "client", "opened", "phase", "contributions", "settled", "updates")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _rotation(circle: Circle, cases: Sequence[Case], lang: str, zone: str) -> list[str]:
    numbers = {case.id: case.number for case in cases}
    lines = [f"## {t(lang, 'records.report.rotation')}", ""]
    for turn in circle.rotation.history:
        number = numbers.get(turn.case_id, "?")
        lines.append(
            f"1. {local(turn.at, zone)} — {display_name(circle, turn.user_id, lang)} "
            f"({t(lang, 'records.journal.case', number=number)})"
        )
    if not circle.rotation.history:
        lines.append(t(lang, "records.report.no_turns"))
    queue = [display_name(circle, user, lang) for user in circle.rotation.queue if circle.member(user)]
    lines += ["", t(lang, "records.report.next", queue=", ".join(queue) or "—"), ""]
    return lines


def _privacy(purges: Sequence[PurgeRecord], erasures: Sequence[ErasureRecord], lang: str, zone: str) -> list[str]:
    lines = [f"## {t(lang, 'records.report.privacy')}", ""]
    for purge in purges:
        lines.append(
            "- "
            + t(
                lang,
                "records.report.purge",
                number=purge.case_number,
                count=purge.contributions,
                at=local(purge.at, zone),
            )
        )
    for erasure in erasures:
        key = "records.report.erasure_by_facilitator" if erasure.by_facilitator else "records.report.erasure"
        lines.append("- " + t(lang, key, at=local(erasure.at, zone)))
    if not purges and not erasures:
        lines.append(t(lang, "records.report.no_privacy_events"))
    return [*lines, ""]


def _csv(rows: Sequence[MemberRow], phases: Sequence[Phase], header: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "member",
            "times_as_client",
            *(p.value for p in phases),
            "actions_settled",
            "actions",
            "meetings_with_update",
            "meetings",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                _csv_safe(row.name),
                row.as_client,
                *(row.by_phase.get(p, 0) for p in phases),
                row.follow_up.settled,
                row.follow_up.actions,
                row.follow_up.updated_before,
                row.follow_up.meetings,
            ]
        )
    return out.getvalue()


def _csv_safe(text: str) -> str:
    """No formula injection when the CSV is opened in a spreadsheet."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


async def circle_files(uow: UnitOfWork, circle: Circle, reader: str, now: datetime) -> tuple[SendFile, SendFile]:
    cases = await uow.cases.list_for_circle(circle.id, active_only=False)
    contributions = await uow.records.contributions_of_circle(circle.id)
    purges = await uow.records.purges_of(circle.id)
    erasures = await uow.records.erasures_of(circle.id)
    markdown, table = circle_report(circle, cases, contributions, purges, erasures, reader=reader, now=now)
    lang = circle.settings.language
    caption = t(lang, "records.report.caption", size=len(markdown))
    return (
        SendFile(
            circle.id, reader, "circle-report.md", markdown, markdown if len(markdown) <= SHORT_ENOUGH else caption
        ),
        SendFile(circle.id, reader, "circle-members.csv", table, t(lang, "records.report.csv_caption")),
    )
