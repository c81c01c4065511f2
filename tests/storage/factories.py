"""Engine values for storage tests, built directly from bot.flows.model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.flows.model import (
    Case,
    CaseKind,
    Circle,
    Contribution,
    ContributionKind,
    Expose,
    Member,
    Phase,
)

T0 = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)


def a_circle(circle_id: str = "circle-1", *, channel_id: str | None = None, platform: str = "slack") -> Circle:
    return Circle(
        id=circle_id,
        platform=platform,
        workspace_id="T1",
        channel_id=channel_id or f"C-{circle_id}",
        name="Managers' circle",
        created_at=T0,
        members=(
            Member("alice", "Alice", T0, facilitator=True, charter_accepted_at=T0),
            Member("bob", "Bob", T0, charter_accepted_at=T0),
            Member("carol", "Carol", T0, charter_accepted_at=T0, timezone="America/Montreal"),
        ),
    )


def a_case(
    case_id: str = "case-1",
    *,
    circle_id: str = "circle-1",
    client_id: str = "bob",
    phase: Phase = Phase.CLARIFICATION,
    opened_at: datetime = T0,
    number: int = 1,
) -> Case:
    return Case(
        id=case_id,
        circle_id=circle_id,
        number=number,
        client_id=client_id,
        expose=Expose(
            kind=CaseKind.PROBLEM,
            title="A team that stopped talking",
            context="Since the merger, meetings are silent.",
            stakes="Two resignations this quarter.",
            tried="One-on-ones.",
            question="How do I get them to speak up?",
        ),
        consultants=("alice", "carol"),
        phase=phase,
        opened_at=opened_at,
        phase_started_at=opened_at,
        deadline=opened_at + timedelta(days=2),
        acted=frozenset({"carol"}),
    )


def a_contribution(
    contribution_id: str, *, case_id: str = "case-1", at: datetime = T0, text: str = "Why?"
) -> Contribution:
    return Contribution(
        id=contribution_id,
        case_id=case_id,
        author_id="carol",
        kind=ContributionKind.QUESTION,
        phase=Phase.CLARIFICATION,
        text=text,
        at=at,
    )
