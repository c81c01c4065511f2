"""Routing one payload inside a unit of work: to a query, a form, or an engine step.

The router reads state through the unit of work and writes through `save_step`; it never
commits (the service does) and never talks to a platform (adapters do).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot import actions, forms, intake, queries
from bot.flows import commands as c
from bot.flows.card import build_card
from bot.flows.case_engine import handle_case, refusal
from bot.flows.catalog import t
from bot.flows.circle_engine import handle_circle, setup_circle
from bot.flows.effects import Button, Notice, UpdateCard
from bot.flows.errors import DomainError
from bot.flows.model import Case, Circle, ItemStatus, Language, Phase, Role, SignalKind
from bot.flows.step import Step
from bot.flows.submission import consultants_for, submit
from bot.flows.table import allowed_roles, roles_of
from bot.flows.text_rules import parse_duration
from bot.incoming import (
    SETTINGS_EDITABLE,
    ButtonPress,
    FormSubmission,
    Origin,
    Outcome,
    Payload,
    SlashCommand,
    ThreadReply,
)
from bot.records import commands as records
from bot.storage.uow import UnitOfWork


async def save_step(uow: UnitOfWork, circle: Circle | None, case: Case | None, step: Step, now: datetime) -> None:
    """Write what a step changed; unchanged states are not rewritten."""
    if circle is None:
        await uow.circles.add(step.circle)
    elif step.circle != circle:
        await uow.circles.save(step.circle)
    if step.case is not None:
        if case is None:
            await uow.cases.add(step.case)
        elif step.case != case:
            await uow.cases.save(step.case)
    if step.contributions:
        await uow.contributions.add_all(step.contributions, step.circle.id)
    if step.effects:
        await uow.outbox.add(step.effects, now)


# What follows the case number of a command about one case ("extend 3 2d"), and its usage.
_WORDS_AFTER_CASE = {"extend": 1, "reassign": 1}
_TAKES_NO_WORDS = frozenset({"join", "leave", "members", "meetings", "submit"})
_USAGE = {"extend": "error.extend_usage", "reassign": "error.reassign_usage"}

_CASE_COMMANDS: dict[str, Callable[[str], c.Command]] = {
    "advance": c.Advance,
    "withdraw": c.Withdraw,
}


class Router:
    def __init__(
        self,
        uow: UnitOfWork,
        circle: Circle | None,
        origin: Origin,
        now: datetime,
        ids: Callable[[], str],
        language: Language,
        timezone: str,
        *,
        thread_case: Case | None,
        named_case: Case | None = None,
    ) -> None:
        """`thread_case`: the case whose thread the event came from, None outside a case's
        thread; `named_case`: the case a command names by number, when already read. The
        caller reads them with the circle, in one query (see `_load_place`)."""
        self._uow = uow
        self._circle = circle
        self._thread_case = thread_case
        self._named_case = named_case
        self._origin = origin
        self._now = now
        self._ids = ids
        self._language = circle.settings.language if circle else language
        self._timezone = timezone
        self._actor = origin.user_id

    async def route(self, payload: Payload) -> Outcome:
        match payload:
            case SlashCommand(text):
                return await self._slash(intake.parse(text))
            case ThreadReply(text, ref, under_bot_post):
                return await self._reply(text, ref, under_bot_post=under_bot_post)
            case ButtonPress(action, case_id, value):
                return await self._button(action, case_id, value)
            case FormSubmission(form_id, values, case_id):
                return await self._form(form_id, dict(values), case_id)

    # --- helpers -----------------------------------------------------------------------

    def _notice(self, text: str) -> Outcome:
        return Outcome(notices=(Notice(text),))

    def _require_circle(self) -> Circle:
        if self._circle is None:
            raise DomainError("error.no_circle")
        return self._circle

    def _desk(self, circle: Circle) -> records.Desk:
        return records.Desk(self._uow, circle, self._actor, self._now, self._ids)

    async def _apply(self, step: Step, case: Case | None = None) -> Outcome:
        await save_step(self._uow, self._circle, case, step, self._now)
        return Outcome()

    async def _case_step(self, case: Case, command: c.Command) -> Outcome:
        circle = self._require_circle()
        return await self._apply(handle_case(circle, case, command, self._now), case)

    async def _circle_step(self, command: c.Command) -> Outcome:
        circle = self._require_circle()
        return await self._apply(handle_circle(circle, command, self._now))

    async def _case(self, number: int | None) -> Case:
        """The case meant: by number, else the thread's, else the circle's only active one."""
        circle = self._require_circle()
        if number is not None:
            for known in (self._named_case, self._thread_case):
                if known is not None and known.number == number:
                    return known
            found = await self._uow.cases.get_by_number(circle.id, number)
            if found is None:
                raise DomainError("error.unknown_case", number=number)
            return found
        if self._thread_case is not None:
            return self._thread_case
        active = await self._uow.cases.list_for_circle(circle.id, active_only=True)
        if len(active) == 1:
            return active[0]
        own = [case for case in active if case.client_id == self._actor]
        if len(own) == 1 and not self._facilitates(circle):  # a client means their own case
            return own[0]
        raise DomainError("error.which_case" if active else "error.no_active_case")

    async def _record_case(self, number: int | None) -> Case:
        """The case a record is asked of: by number, else the thread's, else the asker's own
        latest as client (closed or not: a record is asked once the case is over), else as
        `_case` finds it."""
        if number is None and self._thread_case is None:
            circle = self._require_circle()
            cases = await self._uow.cases.list_for_circle(circle.id, active_only=False)
            own = [case for case in cases if case.client_id == self._actor]
            if own:
                return max(own, key=lambda case: case.number)
        return await self._case(number)

    def _facilitates(self, circle: Circle) -> bool:
        member = circle.member(self._actor)
        return member is not None and member.facilitator

    async def _case_by_id(self, case_id: str | None) -> Case:
        circle = self._require_circle()
        case = await self._uow.cases.get(case_id) if case_id else None
        # A case id from another circle (or workspace) is treated as unknown.
        if case is None or case.circle_id != circle.id:
            raise DomainError("error.case_gone")
        return case

    # --- slash commands ----------------------------------------------------------------

    async def _slash(self, parsed: intake.Parsed) -> Outcome:
        sub, args = parsed.sub, parsed.args
        if sub == "help":
            return self._notice(queries.help_text(self._language, self._circle, self._actor))
        if sub == "setup":
            return await self._setup(args)
        circle = self._require_circle()
        if sub in _TAKES_NO_WORDS and args:  # "/codev leave now" must not be half-read either
            raise DomainError("error.takes_no_words", sub=sub)
        if sub == "join":
            return await self._circle_step(c.Join(self._actor, self._origin.display_name, self._origin.timezone))
        if sub == "leave":
            open_case = await self._uow.cases.open_case_of(circle.id, self._actor)
            if open_case is not None:
                raise DomainError("error.leave_with_open_case", number=open_case.number)
            return await self._leave(circle, c.Leave(self._actor), self._actor)
        if sub == "remove":
            return await self._remove(circle, args)
        if sub == "members":
            return self._notice(queries.members_text(circle))
        if sub == "queue":
            return await self._queue(circle, args)
        if sub == "meetings":
            return self._notice(queries.meetings_text(circle, self._now))
        if sub == "schedule":
            return await self._schedule(circle, args)
        if sub == "settings":
            return await self._settings(circle, args)
        if sub in records.SUBCOMMANDS:
            return await records.slash(self._desk(circle), sub, args, self._record_case)
        if sub == "submit":
            return await self._open_submit(circle)
        return await self._case_slash(circle, sub, args)

    async def _case_slash(self, circle: Circle, sub: str, args: tuple[str, ...]) -> Outcome:
        number, rest = intake.split_case_ref(args)
        if len(rest) > _WORDS_AFTER_CASE.get(sub, 0):
            # A word left over is never ignored: "/codev pause 12a" must not pause the circle.
            if number is None:
                raise DomainError("error.not_a_case_number", value=rest[0][:40])
            raise DomainError(_USAGE.get(sub, "error.case_command_usage"), sub=sub)
        if sub in ("pause", "resume") and number is None and not self._origin.thread_ref:
            return await self._pause_circle(circle, pause=sub == "pause")
        if sub == "status" and number is None and not self._origin.thread_ref:
            cases = await self._uow.cases.list_for_circle(circle.id, active_only=True)
            return self._notice(queries.circle_status(circle, cases, self._now))
        if sub == "update" and number is None:
            return await self._open_form_checked(circle, await self._own_follow_up(circle), "post_update")
        case = await self._case(number)
        if sub == "status":
            return self._notice(queries.case_status(circle, case))
        if sub == "update":
            return await self._open_form_checked(circle, case, "post_update")
        if sub in ("pause", "resume"):
            return await self._case_step(case, c.Pause(self._actor) if sub == "pause" else c.Resume(self._actor))
        if sub == "extend":
            if len(rest) != 1:
                raise DomainError("error.extend_usage")
            return await self._case_step(case, c.Extend(self._actor, parse_duration(rest[0])))
        if sub == "reassign":
            if len(rest) != 1:
                raise DomainError("error.reassign_usage")
            to = self._member_id(circle, rest[0])
            their_own = await self._uow.cases.open_case_of(circle.id, to)
            if their_own is not None and their_own.id != case.id:
                raise DomainError("error.member_has_open_case", who=circle.name_of(to), number=their_own.number)
            return await self._case_step(case, c.ReassignClient(self._actor, to))
        return await self._case_step(case, _CASE_COMMANDS[sub](self._actor))

    async def _own_follow_up(self, circle: Circle) -> Case:
        own = await self._uow.cases.open_case_of(circle.id, self._actor)
        if own is None:
            raise DomainError("error.no_case_to_update")
        return own

    def _member_id(self, circle: Circle, word: str, *, pending_too: bool = False) -> str:
        """The member `word` names (a mention, an id or a display name); with `pending_too`,
        someone yet to accept the charter as well."""
        ref = intake.user_ref(word)
        known = (*circle.members, *(circle.pending if pending_too else ()))
        if any(m.user_id == ref for m in known):
            return ref
        named = [m for m in known if m.display_name.casefold() == ref.casefold()]
        if len(named) == 1:
            return named[0].user_id
        raise DomainError("error.unknown_member", who=ref)

    async def _pause_circle(self, circle: Circle, *, pause: bool) -> Outcome:
        """Pause or resume the circle, and with it the clocks of its cases."""
        command = c.PauseCircle(self._actor) if pause else c.ResumeCircle(self._actor)
        step = handle_circle(circle, command, self._now)
        await save_step(self._uow, circle, None, step, self._now)
        each: c.Command = c.CirclePaused(c.SYSTEM_ACTOR) if pause else c.CircleResumed(c.SYSTEM_ACTOR)
        for case in await self._uow.cases.list_for_circle(circle.id, active_only=True):
            changed = handle_case(step.circle, case, each, self._now)
            await save_step(self._uow, step.circle, case, changed, self._now)
        return Outcome()

    async def _remove(self, circle: Circle, args: tuple[str, ...]) -> Outcome:
        if len(args) != 1:
            raise DomainError("error.remove_usage")
        # The engine refuses others too, but only after this reads whose cases are open.
        if self._actor not in circle.facilitators:
            raise DomainError("error.not_your_role", role="role.facilitator")
        target = self._member_id(circle, args[0], pending_too=True)
        open_case = await self._uow.cases.open_case_of(circle.id, target)
        if open_case is not None:
            # Suggest handing the case over only where the table allows it.
            handing_over = Role.FACILITATOR in allowed_roles(c.ReassignClient, open_case.phase)
            key = "error.remove_with_open_case" if handing_over else "error.remove_with_late_case"
            raise DomainError(key, who=circle.name_of(target), number=open_case.number)
        return await self._leave(circle, c.RemoveMember(self._actor, target), target)

    async def _leave(self, circle: Circle, command: c.Leave | c.RemoveMember, who: str) -> Outcome:
        """`who` leaves (or is removed), then each case they consulted on ends its phase if
        it now can."""
        step = handle_circle(circle, command, self._now)
        await save_step(self._uow, circle, None, step, self._now)
        for case in await self._uow.cases.list_for_circle(circle.id, active_only=True):
            if who in case.consultants:
                checked = handle_case(step.circle, case, c.Recheck(c.SYSTEM_ACTOR, who), self._now)
                await save_step(self._uow, step.circle, case, checked, self._now)
        return Outcome()

    async def _accept_charter(self, circle: Circle, command: c.AcceptCharter) -> Outcome:
        """A member who left and comes back counts again in the cases they consulted on:
        their cards, redrawn when they left, are redrawn again."""
        step = handle_circle(circle, command, self._now)
        await save_step(self._uow, circle, None, step, self._now)
        for case in await self._uow.cases.list_for_circle(circle.id, active_only=True):
            if self._actor not in case.consultants:
                continue
            card = build_card(step.circle, case)
            if card != build_card(circle, case):
                await self._uow.outbox.add((UpdateCard(circle.id, card),), self._now)
        return Outcome()

    async def _setup(self, args: tuple[str, ...]) -> Outcome:
        if self._circle is not None:
            raise DomainError("error.circle_exists", name=self._circle.name)
        if not args:
            return Outcome(form=forms.setup_form(self._language, "", self._origin.timezone or self._timezone))
        name = args[0]
        language = args[1] if len(args) > 1 else self._language
        # Unless told, the circle keeps its facilitator's time zone, when the platform gave it.
        timezone = args[2] if len(args) > 2 else self._origin.timezone or self._timezone
        return await self._create_circle(name, language, timezone)

    async def _create_circle(self, name: str, language: str, timezone: str) -> Outcome:
        origin = self._origin
        command = c.SetupCircle(
            self._actor,
            self._ids(),
            origin.platform,
            origin.workspace_id,
            origin.channel_id,
            name,
            origin.display_name,
            language,
            timezone,
        )
        try:
            step = setup_circle(command, self._now)
        except DomainError as refusal:
            # No circle yet: answer in the language the facilitator asked for, if it is one.
            if language.strip().lower() in tuple(Language):
                refusal.language = Language(language.strip().lower())
            raise
        await self._apply(step)
        return self._notice(queries.help_text(step.circle.settings.language, step.circle, self._actor))

    async def _queue(self, circle: Circle, args: tuple[str, ...]) -> Outcome:
        if not args:
            return self._notice(queries.queue_text(circle))
        if args[0].lower() == "volunteer" and len(args) == 1:
            own = await self._uow.cases.open_case_of(circle.id, self._actor)
            if own is not None:  # a second turn before everyone else had one
                raise DomainError("error.volunteer_with_open_case", number=own.number)
            return await self._circle_step(c.Volunteer(self._actor))
        if args[0].lower() == "swap" and len(args) == 3:
            first, second = self._member_id(circle, args[1]), self._member_id(circle, args[2])
            return await self._circle_step(c.SwapTurns(self._actor, first, second))
        raise DomainError("error.queue_usage")

    async def _schedule(self, circle: Circle, args: tuple[str, ...]) -> Outcome:
        request = intake.parse_schedule(args, self._now.date())
        command: c.Command
        if request.skip is not None:
            command = c.SkipMeeting(self._actor, request.skip)
        elif request.add is not None:
            command = c.AddMeeting(self._actor, request.add)
        else:
            command = c.SetMeetingRule(self._actor, request.rule)
        return await self._circle_step(command)

    async def _settings(self, circle: Circle, args: tuple[str, ...]) -> Outcome:
        if not args:
            may_change = self._actor in circle.facilitators
            text = queries.settings_text(circle, may_change)
            # Adapters with a settings form (Slack) open it for those who may use it.
            editable = {SETTINGS_EDITABLE: str(circle.settings.language)} if may_change else {}
            return Outcome(notices=(Notice(text),), extras=editable)
        if args[0].lower() == "facilitator" and len(args) == 2:
            return await self._circle_step(c.MakeFacilitator(self._actor, self._member_id(circle, args[1])))
        if len(args) < 2:
            raise DomainError("error.settings_usage")
        # A value may be words ("3 jours"): every word after the name is the value.
        return await self._circle_step(c.ChangeSettings(self._actor, ((args[0], " ".join(args[1:])),)))

    async def _open_submit(self, circle: Circle) -> Outcome:
        if circle.member(self._actor) is None:
            raise DomainError("error.not_member")
        open_case = await self._uow.cases.open_case_of(circle.id, self._actor)
        if open_case is not None:
            raise DomainError("error.case_already_open", number=open_case.number)
        if circle.paused:  # the submission would be refused: say so before they write it
            raise DomainError("error.circle_paused")
        consultants_for(circle, self._actor)  # refuses when nobody could consult
        return Outcome(form=forms.submit_form(self._language))

    async def _open_case_form(self, case: Case, form_id: str) -> Outcome:
        return Outcome(form=forms.case_form(self._language, form_id, case))

    # --- replies, buttons, forms -------------------------------------------------------

    async def _reply(self, text: str, message_ref: str | None, *, under_bot_post: bool = False) -> Outcome:
        circle = self._circle
        if circle is None or not self._origin.thread_ref:
            return Outcome()  # not a circle's channel, or not in a thread: not ours to read
        case = self._thread_case
        if case is None:
            # People's own threads are conversation; one under a post of the bot's (a case's
            # announcement) was meant for the case, and must not seem recorded.
            return self._notice(t(self._language, "reply.not_a_case_thread")) if under_bot_post else Outcome()
        return await self._case_step(case, c.Reply(self._actor, self._ids(), text, message_ref))

    async def _button(self, action: str, case_id: str | None, value: str) -> Outcome:
        circle = self._require_circle()
        if action in records.ACTIONS:
            return await records.button(self._desk(circle), action, value)
        if action in actions.CIRCLE_ACTIONS:
            command = actions.CIRCLE_ACTIONS[action](self._actor, value)
            if isinstance(command, c.AcceptCharter):
                return await self._accept_charter(circle, command)
            return await self._circle_step(command)
        if not actions.known(action):
            raise DomainError("error.unknown_action")
        case = await self._case_by_id(case_id)
        if action == "signal" and value:
            return await self._case_step(case, actions.signal_command(self._actor, self._ids(), value))
        if action in actions.FORMS:
            return await self._open_form_checked(circle, case, action)
        command = actions.IMMEDIATE[action](self._actor, self._ids(), value)
        if action in actions.CONFIRM_FIRST and value != actions.CONFIRMED:
            return self._ask_first(circle, case, action, command)
        return await self._case_step(case, command)

    def _ask_first(self, circle: Circle, case: Case, action: str, command: c.Command) -> Outcome:
        """Before what cannot be undone: the question, and a button that does it. Refused at
        once when the act would be."""
        roles = roles_of(circle, case, self._actor)
        if not roles & allowed_roles(type(command), case.phase):
            raise refusal(circle, case, command, roles)
        yes = Button(action, t(self._language, f"confirm.{action}.yes", number=case.number), case.id, actions.CONFIRMED)
        question = t(self._language, f"confirm.{action}", number=case.number)
        return Outcome(notices=(Notice(question, (yes,)),))

    async def _open_form_checked(self, circle: Circle, case: Case, action: str) -> Outcome:
        """Refuse before the form opens when its submission would be refused anyway."""
        probe = _FORM_PROBES[actions.FORMS[action]](self._actor)
        roles = roles_of(circle, case, self._actor)
        if not roles & allowed_roles(type(probe), case.phase):
            raise refusal(circle, case, probe, roles)
        if action == "post_update" and case.phase is not Phase.FOLLOW_UP:
            raise DomainError("error.no_plan_yet")
        return await self._open_case_form(case, actions.FORMS[action])

    async def _form(self, form_id: str, values: dict[str, str], case_id: str | None) -> Outcome:
        if form_id == "setup":
            if self._circle is not None:
                raise DomainError("error.circle_exists", name=self._circle.name)
            name, language, timezone = forms.read_setup(values)
            return await self._create_circle(name, language, timezone)
        circle = self._require_circle()
        if form_id in records.FORMS:
            return await records.form(self._desk(circle), form_id, values)
        if form_id == "submit":
            submission = forms.read_submit(self._actor, self._ids(), values)
            open_case = await self._uow.cases.open_case_of(circle.id, self._actor)
            number = len(await self._uow.cases.list_for_circle(circle.id, active_only=False)) + 1
            step = submit(circle, submission, self._now, number=number, open_case=open_case)
            return await self._apply(step)
        case = await self._case_by_id(case_id)
        command = forms.read_case_form(form_id, self._actor, self._ids(), values, self._now.date())
        return await self._case_step(case, command)


# A representative command per case form, to check roles and phase before it opens.
_FORM_PROBES: dict[str, Callable[[str], c.Command]] = {
    "contract": lambda actor: c.PostContract(actor, "", ""),
    "reformulate": lambda actor: c.Acknowledge(actor, "", False),
    "plan": lambda actor: c.PostPlan(actor, "", "", ()),
    "learning": lambda actor: c.ShareLearning(actor, "", ""),
    "update": lambda actor: c.PostUpdate(actor, "", 1, ItemStatus.DONE),
    "signal": lambda actor: c.Signal(actor, "", SignalKind.CLARIFY),
}
