"""Forms (Slack and Discord modals, console prompts): their fields, and reading them back.

A form is data; each adapter draws it. Reading a submission validates every field and
returns the engine command it stands for, or raises `DomainError` naming the problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from bot.flows import commands as c
from bot.flows.catalog import t
from bot.flows.effects import Form, FormField
from bot.flows.errors import DomainError
from bot.flows.model import Case, CaseKind, ItemStatus, SignalKind
from bot.flows.text_rules import MAX_FIELD, MAX_TITLE, parse_plan, without_bullet

KINDS = tuple(CaseKind)
UPDATE_STATUSES = (ItemStatus.DONE, ItemStatus.PARTLY, ItemStatus.DROPPED, ItemStatus.CHANGED)


def _field(
    lang: str,
    name: str,
    *,
    long: bool = False,
    required: bool = True,
    max_length: int = MAX_FIELD,
    options: tuple[tuple[str, str], ...] = (),
    initial: str = "",
) -> FormField:
    """A field labelled from the catalog's `form.field.<name>`."""
    return FormField(name, t(lang, f"form.field.{name}"), long, required, max_length, options, initial)


def submit_form(lang: str) -> Form:
    kinds = tuple((kind.value, t(lang, f"kind.{kind}")) for kind in KINDS)
    return Form(
        "submit",
        t(lang, "form.submit.title"),
        t(lang, "form.submit.button"),
        (
            _field(lang, "kind", options=kinds, initial=CaseKind.PROBLEM.value),
            _field(lang, "title", max_length=MAX_TITLE),
            _field(lang, "context", long=True),
            _field(lang, "stakes", long=True, required=False),
            _field(lang, "tried", long=True, required=False),
            _field(lang, "question", long=True),
        ),
        language=lang,
    )


def setup_form(lang: str, channel_name: str, timezone: str) -> Form:
    languages = (("en", "English"), ("fr", "Français"))
    return Form(
        "setup",
        t(lang, "form.setup.title"),
        t(lang, "form.setup.button"),
        (
            _field(lang, "name", max_length=MAX_TITLE, initial=channel_name),
            _field(lang, "language", options=languages, initial=lang),
            _field(lang, "timezone", max_length=64, initial=timezone),
        ),
        language=lang,
    )


def case_form(lang: str, form_id: str, case: Case) -> Form:
    """Forms tied to one case: contract, plan, learning, update, reformulate, signal."""
    fields: tuple[FormField, ...]
    if form_id == "contract":
        fields = (_field(lang, "contract", long=True),)
    elif form_id == "plan":
        fields = (_field(lang, "synthesis", long=True, required=False), _field(lang, "actions", long=True))
    elif form_id == "learning":
        fields = (_field(lang, "learning", long=True),)
    elif form_id == "reformulate":
        fields = (_field(lang, "comment", long=True, max_length=2000),)
    elif form_id == "signal":
        kinds = tuple((kind.value, t(lang, f"signal.{kind}")) for kind in SignalKind)
        fields = (_field(lang, "signal", options=kinds), _field(lang, "note", long=True, required=False))
    elif form_id == "update":
        items = case.plan.items if case.plan else ()
        choices = tuple((str(n), f"{n}. {item.what}"[:75]) for n, item in enumerate(items, start=1))
        statuses = tuple((s.value, t(lang, f"status.{s}")) for s in UPDATE_STATUSES)
        fields = (
            _field(lang, "item", options=choices, initial=choices[0][0] if choices else ""),
            _field(lang, "status", options=statuses),
            _field(lang, "note", long=True, required=False),
        )
    else:
        raise DomainError("error.unknown_form")
    title = t(lang, f"form.{form_id}.title", number=case.number)
    return Form(form_id, title[:24], t(lang, "form.send"), fields, case_id=case.id, language=lang)


def _value(values: Mapping[str, str], name: str, *, required: bool = True) -> str:
    value = (values.get(name) or "").strip()
    if required and not value:
        raise DomainError("error.empty_text", field=f"field.{name}")
    if len(value) > MAX_FIELD:
        raise DomainError("error.text_too_long", field=f"field.{name}", limit=MAX_FIELD, length=len(value))
    return value


def _choice(values: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = _value(values, name)
    if value not in choices:
        raise DomainError("error.bad_choice", value=value, choices=", ".join(choices))
    return value


def read_submit(actor: str, case_id: str, values: Mapping[str, str]) -> c.Submit:
    kind = CaseKind(_choice(values, "kind", tuple(KINDS)))
    return c.Submit(
        actor,
        case_id,
        kind,
        title=_value(values, "title"),
        context=_value(values, "context"),
        stakes=_value(values, "stakes", required=False),
        tried=_value(values, "tried", required=False),
        question=_value(values, "question"),
    )


def read_case_form(form_id: str, actor: str, contribution_id: str, values: Mapping[str, str], today: date) -> c.Command:
    if form_id == "contract":
        return c.PostContract(actor, contribution_id, _value(values, "contract"))
    if form_id == "learning":
        return c.ShareLearning(actor, contribution_id, _value(values, "learning"))
    if form_id == "reformulate":
        return c.Acknowledge(actor, contribution_id, False, _value(values, "comment", required=False))
    if form_id == "signal":
        kind = SignalKind(_choice(values, "signal", tuple(SignalKind)))
        return c.Signal(actor, contribution_id, kind, _value(values, "note", required=False))
    if form_id == "plan":
        synthesis = _value(values, "synthesis", required=False)
        actions = _value(values, "actions")
        # One action per line, numbered or bulleted or not: each becomes a bullet of its own.
        lines = "\n".join(f"- {without_bullet(line)}" for line in actions.splitlines() if line.strip())
        try:
            _, items = parse_plan(lines, today)
        except DomainError as refusal:  # every line read here is one of the actions
            raise refusal.about("actions") from None
        return c.PostPlan(actor, contribution_id, synthesis, items)
    if form_id == "update":
        item = _value(values, "item")
        if not item.isdigit():
            raise DomainError("error.no_such_item", item=item, count="?")
        status = ItemStatus(_choice(values, "status", tuple(UPDATE_STATUSES)))
        return c.PostUpdate(actor, contribution_id, int(item), status, _value(values, "note", required=False))
    raise DomainError("error.unknown_form")


def read_setup(values: Mapping[str, str]) -> tuple[str, str, str]:
    return _value(values, "name"), _value(values, "language"), _value(values, "timezone")
