"""Every stored value reads back equal to what was written."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.flows.effects import (
    Button,
    Card,
    CardLine,
    DirectMessage,
    Effect,
    Ephemeral,
    Form,
    FormField,
    OpenForm,
    Post,
    Reply,
    SetTimer,
    UpdateCard,
)
from bot.flows.model import (
    ActionItem,
    Cadence,
    Case,
    Circle,
    Contribution,
    ItemStatus,
    MeetingRule,
    Member,
    ParkedAdvice,
    Phase,
    Plan,
    Rotation,
    TimerKind,
    Turn,
)
from bot.storage import codec
from tests.storage.factories import T0, a_case, a_circle, a_contribution

# Stored datetimes are either UTC instants or naive local wall times (meeting dates).
moments = st.datetimes(timezones=st.sampled_from([UTC])) | st.datetimes()
effects: st.SearchStrategy[Effect] = st.one_of(
    *(st.from_type(kind) for kind in (Post, Reply, DirectMessage, Ephemeral, UpdateCard, OpenForm, SetTimer))
)


@given(st.from_type(Circle))
def test_any_circle_round_trips_through_its_json_document(circle: Circle) -> None:
    assert codec.decode_circle(codec.encode_circle(circle)) == circle


@given(st.from_type(Case))
def test_any_case_round_trips_through_its_json_document(case: Case) -> None:
    assert codec.decode_case(codec.encode_case(case)) == case


@given(st.from_type(Circle))
def test_any_circle_reads_back_from_its_stored_text(circle: Circle) -> None:
    assert codec.decode_circle_text(json.dumps(codec.encode_circle(circle))) == circle


@given(st.from_type(Case))
def test_any_case_reads_back_from_its_stored_text(case: Case) -> None:
    assert codec.decode_case_text(json.dumps(codec.encode_case(case))) == case


def test_a_stored_text_with_a_lone_surrogate_still_reads_back() -> None:
    case = a_case().replace(contract="half a pair: \ud800")
    assert codec.decode_case_text(json.dumps(codec.encode_case(case))) == case


def test_the_same_stored_text_is_decoded_once() -> None:
    text = json.dumps(codec.encode_circle(a_circle("circle-once")))
    assert codec.decode_circle_text(text) is codec.decode_circle_text("".join(text))


def test_forgotten_documents_are_decoded_afresh() -> None:
    text = json.dumps(codec.encode_circle(a_circle("circle-forgotten")))
    before = codec.decode_circle_text(text)
    codec.forget_decoded_documents()
    assert codec.decode_circle_text(text) is not before


@given(st.from_type(Contribution))
def test_any_contribution_round_trips(contribution: Contribution) -> None:
    assert codec.decode_contribution(codec.encode_contribution(contribution)) == contribution


@given(effects)
def test_any_effect_round_trips_to_the_same_kind_of_effect(effect: Effect) -> None:
    decoded = codec.decode_effect(codec.encode_effect(effect))
    assert decoded == effect
    assert type(decoded) is type(effect)


@given(moments)
def test_datetimes_keep_their_instant_and_their_awareness(moment: datetime) -> None:
    timer = SetTimer("c", "k", TimerKind.DEADLINE, moment, seq=1)
    decoded = codec.decode_effect(codec.encode_effect(timer))
    assert isinstance(decoded, SetTimer)
    assert decoded.due_at == moment
    assert (decoded.due_at.tzinfo is None) == (moment.tzinfo is None)


def test_a_realistic_circle_document_is_plain_json() -> None:
    circle = a_circle().replace(
        cadence=Cadence(
            rule=MeetingRule(weekday=1, at=time(15), every_weeks=4, starts=date(2025, 3, 4)),
            dates=(datetime(2025, 4, 1, 15, 0),),  # noqa: DTZ001 (local wall time, by design)
            skipped=(date(2025, 4, 29),),
        ),
        rotation=Rotation(queue=("carol", "bob"), history=(Turn("alice", "case-0", T0),)),
    )
    document = codec.encode_circle(circle)
    assert document["settings"]["windows"]["clarification"] == "P2D"
    assert document["cadence"]["rule"]["at"] == "15:00:00"
    assert codec.decode_circle(document) == circle


def test_a_circle_stored_before_departed_members_were_kept_reads_back_with_none() -> None:
    document = codec.encode_circle(a_circle())
    del document["departed"]

    assert codec.decode_circle(document).departed == ()


def test_a_circle_keeps_the_names_of_departed_members_in_its_document() -> None:
    circle = a_circle().replace(departed=(Member("dan", "Dan", T0),))

    assert codec.decode_circle(codec.encode_circle(circle)).name_of("dan") == "Dan"


def test_a_case_with_a_plan_and_parked_advice_round_trips() -> None:
    case = a_case().replace(
        phase=Phase.FOLLOW_UP,
        finished=frozenset({"alice", "carol"}),
        contract="Help me plan the next team meeting",
        plan=Plan(
            synthesis="Make room for silence",
            items=(
                ActionItem("Open with a round", due=date(2025, 4, 1), indicator="All spoke"),
                ActionItem("Ask Dana", status=ItemStatus.DONE, note="She agreed"),
            ),
            posted_at=T0 + timedelta(days=5),
        ),
        parked=(ParkedAdvice("contribution-9", "carol", "Try a silent brainstorm"),),
    )
    assert codec.decode_case(codec.encode_case(case)) == case


def test_a_post_with_a_card_reads_back_as_a_post() -> None:
    post = Post(
        "circle-1",
        "Case 1 opened",
        card=Card(
            case_id="case-1",
            title="#1 A team that stopped talking",
            headline="Clarification until Thursday",
            lines=(CardLine("Client", "Bob"),),
            buttons=(Button("advance", "Advance", case_id="case-1", primary=True),),
        ),
    )
    form = OpenForm(
        "circle-1",
        "bob",
        Form("submit", "Submit a case", "Submit", (FormField("kind", "Kind", options=(("p", "P"),)),)),
    )
    assert codec.decode_effect(codec.encode_effect(post)) == post
    assert codec.decode_effect(codec.encode_effect(form)) == form
    assert codec.decode_contribution(codec.encode_contribution(a_contribution("x"))) == (a_contribution("x"))
