"""Discord in, Codev's incoming events out; the core's outcome back as the interaction's answer.

Every interaction is answered within Discord's 3 seconds: the core gets `answer_within`
seconds (2 by default) to decide; if it is slower, the interaction is deferred ("Codev is
thinking…") and the answer follows up when the core is done. "This interaction failed"
never shows, even when the core raises: the member then reads that nothing was changed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from typing import Any

import discord

from bot.adapters.discord import ids
from bot.adapters.discord.dms import AtHand, Handy, PrivateMessages
from bot.adapters.discord.localize import guild_language
from bot.adapters.discord.render import NO_MENTIONS, split_text
from bot.adapters.discord.views import (
    MODAL_TIMEOUT,
    FormButton,
    FormModal,
    PendingForm,
    PendingForms,
    action_view,
    form_page_number,
    form_token,
    form_view,
)
from bot.flows.catalog import has, t
from bot.flows.effects import Button, Ephemeral, Form, FormField, Notice
from bot.incoming import ButtonPress, FormSubmission, Incoming, Origin, Outcome, Payload, SlashCommand, ThreadReply
from bot.ports import Address, Intake

log = logging.getLogger(__name__)

PLATFORM = "discord"
ANSWER_WITHIN = 2.0
_REPLY_TYPES = (discord.MessageType.default, discord.MessageType.reply)
# Set in an interaction's `extras` once a form page took it (see `form_page`).
_PAGE_TAKEN = "codev_form_page_taken"


def language_of(interaction: discord.Interaction[Any]) -> str:
    return "fr" if str(interaction.locale).startswith("fr") else "en"


def interaction_origin(interaction: discord.Interaction[Any], place: tuple[str, str] | None = None) -> Origin | None:
    """Who acted where. In a thread the circle's channel is the thread's parent (a text or
    forum channel) and the thread is the case's; from a DM, the button named the place."""
    user = interaction.user
    name = getattr(user, "display_name", None) or user.name
    thread_ref: str | None = None
    if place is not None:
        guild_id, channel_id = place
    elif interaction.guild_id is None or interaction.channel_id is None:
        return None
    else:
        guild_id, channel_id = str(interaction.guild_id), str(interaction.channel_id)
        channel = interaction.channel
        if isinstance(channel, discord.Thread) and channel.parent_id is not None:
            channel_id, thread_ref = str(channel.parent_id), str(channel.id)
    return Origin(PLATFORM, guild_id, channel_id, str(user.id), name, thread_ref)


class Interactions:
    def __init__(
        self,
        core: Intake,
        at_hand: AtHand,
        forms: PendingForms,
        private: PrivateMessages,
        *,
        reads_messages: Callable[[], bool],
        parent_of: Callable[[int], Any],
        answer_within: float = ANSWER_WITHIN,
        modal_timeout: float = MODAL_TIMEOUT,
    ) -> None:
        self._core = core
        self._modal_timeout = modal_timeout
        self._at_hand = at_hand
        self._forms = forms
        self._private = private
        self._reads_messages = reads_messages
        self._parent_of = parent_of  # thread id -> parent channel id (awaitable), for uncached threads
        self._within = answer_within

    # --- interactions ------------------------------------------------------------------

    async def slash(self, interaction: discord.Interaction[Any], text: str) -> None:
        origin = interaction_origin(interaction)
        if origin is None:
            await interaction.response.send_message(t(language_of(interaction), "help.short"), ephemeral=True)
            return
        await self._answer(interaction, origin, SlashCommand(text), component=False)

    async def press(self, interaction: discord.Interaction[Any], press: ids.Press) -> None:
        place = (press.guild_id, press.channel_id) if press.guild_id and press.channel_id else None
        origin = interaction_origin(interaction, place)
        if origin is None or press.lost:
            key = "discord.button_expired" if press.lost else "discord.form_expired"
            await interaction.response.send_message(t(language_of(interaction), key), ephemeral=True)
            return
        await self._answer(interaction, origin, ButtonPress(press.action, press.case_id, press.value), component=True)

    async def form_button(self, interaction: discord.Interaction[Any], op: str, token: str) -> None:
        pending = self._forms.get(token)
        if pending is None:
            await interaction.response.send_message(t(language_of(interaction), "discord.form_expired"), ephemeral=True)
            return
        if op == "s":
            self._forms.drop(token)
            await self._submit(interaction, pending)
            return
        page = 0 if op == "o" else pending.next_page
        await interaction.response.send_modal(FormModal(pending, token, page, self._modal_timeout))

    async def form_page(
        self, interaction: discord.Interaction[Any], token: str, page: int, values: dict[str, str]
    ) -> None:
        pending = self._forms.get(token)
        if pending is None:
            return  # no longer held: `lost_form` answers, with what was typed
        # discord.py runs this page's modal and `lost_form` side by side, the modal first; a
        # last page drops the form before `lost_form` looks, so the page says it was taken.
        interaction.extras[_PAGE_TAKEN] = True
        pending.take(page, values)
        steps = len(pending.pages)
        if page + 1 < steps:
            pending.next_page = page + 1
            self._at_hand.open(pending.origin, interaction, pending.form.case_id).responded.set()
            lang = pending.language
            buttons = [FormButton("c", token, t(lang, "discord.form_continue", step=page + 2, steps=steps))]
            if all(not spec.required for later in pending.pages[page + 1 :] for spec in later):
                buttons.append(FormButton("s", token, t(lang, "discord.form_send_now"), primary=False))
            await interaction.response.send_message(
                t(lang, "discord.form_step", step=page + 1, steps=steps), ephemeral=True, view=form_view(*buttons)
            )
            return
        self._forms.drop(token)
        await self._submit(interaction, pending)

    async def lost_form(self, interaction: discord.Interaction[Any]) -> None:
        """Every interaction passes here. A form page no modal took (discord.py forgets a modal
        after its timeout, and a restart forgets them all) is taken here while its form is
        held; once it is not (Codev restarted, or it was sent already), the member gets what
        they typed back, privately, instead of "This interaction failed"."""
        if interaction.type is not discord.InteractionType.modal_submit or interaction.extras.get(_PAGE_TAKEN):
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        token = form_token(custom_id)
        if token is None:
            return
        typed = list(_typed(data.get("components", [])))
        if self._forms.get(token) is not None:
            await self.form_page(interaction, token, form_page_number(custom_id), dict(typed))
            return
        language = language_of(interaction)
        shown = "\n\n".join(f"{_field_label(language, name)}:\n{value}" for name, value in typed if value.strip())
        text = t(language, "discord.form_lost", typed=shown) if shown else t(language, "discord.form_expired")
        for piece in split_text(text):
            await _say(interaction, piece, ())

    async def _submit(self, interaction: discord.Interaction[Any], pending: PendingForm) -> None:
        submission = FormSubmission(pending.form.form_id, dict(pending.values), pending.form.case_id)
        # A sent form is confirmed in words: a silent acknowledgement would look like nothing happened.
        outcome = await self._answer(interaction, pending.origin, submission, component=False)
        if outcome.refused:  # what was typed is kept: the form reopens filled in, to be mended
            pending.next_page = 0
            token = self._forms.hold(pending)
            mend = FormButton("o", token, t(pending.language, "discord.form_mend"))
            text = t(pending.language, "discord.form_kept")
            await interaction.followup.send(text, ephemeral=True, view=form_view(mend))

    # --- thread messages -----------------------------------------------------------------

    async def message(self, message: discord.Message) -> None:
        """A message in a thread of a server: a reply to a case if the thread is a case's."""
        if message.author.bot or message.guild is None or message.type not in _REPLY_TYPES:
            return
        if not self._reads_messages():
            return  # content would be empty: never record blank replies (setup warned about it)
        channel = message.channel
        if isinstance(channel, discord.Thread):
            parent = channel.parent_id
        elif isinstance(channel, discord.PartialMessageable):  # a thread this process has not seen yet
            parent = await self._parent_of(channel.id)
        else:
            return  # the circle's own channel: conversation, not a contribution
        text = _with_files(message)
        if parent is None or not text.strip():
            return
        author = message.author
        origin = Origin(
            PLATFORM,
            str(message.guild.id),
            str(parent),
            str(author.id),
            getattr(author, "display_name", None) or author.name,
            str(channel.id),
        )
        incoming = Incoming(origin, ThreadReply(text, str(message.id)), f"discord:message:{message.id}")
        then = partial(self._after_reply, origin, message)
        try:
            self._core.accept(incoming, then=then)  # journaled, then applied in the gateway's order
        except OSError:
            log.exception("thread message %s could not be journaled", message.id)
            await then(None)  # as unrecorded as a reply set aside, and Discord sends no message twice

    async def _after_reply(self, origin: Origin, message: discord.Message, outcome: Outcome | None) -> None:
        """Tell the sender what the outcome has for them alone. No interaction of theirs can
        carry it, so it goes as a DM, or as a mention in the thread when their DMs are closed."""
        if outcome is None:  # set aside: say so rather than let the reply seem recorded
            language = guild_language(message.guild)
            notice = Notice(t(language, "discord.reply_not_recorded", link=message.jump_url))
            outcome = Outcome(notices=(notice,))
        address = Address(PLATFORM, origin.workspace_id, origin.channel_id, origin.thread_ref)
        for notice in outcome.notices:
            note = Ephemeral("", origin.user_id, notice.text, notice.buttons)  # the circle is not needed to send it
            await self._private.direct_or_mention(note, address)

    # --- answering -------------------------------------------------------------------------

    async def _answer(
        self, interaction: discord.Interaction[Any], origin: Origin, payload: Payload, *, component: bool
    ) -> Outcome:
        """Hand `payload` to the core and show its outcome, which it returns."""
        case_id = payload.case_id if isinstance(payload, ButtonPress | FormSubmission) else None
        handy = self._at_hand.open(origin, interaction, case_id)
        incoming = Incoming(origin, payload, f"discord:interaction:{interaction.id}")
        language = language_of(interaction)
        # The core runs right here; only if it takes longer than `answer_within` does a timer
        # start the deferral beside it (a task and a wait per interaction would cost more than
        # the read a command like `status` makes).
        deferral: list[asyncio.Task[None]] = []
        timer = asyncio.get_running_loop().call_later(
            self._within, lambda: deferral.append(asyncio.ensure_future(_defer(interaction, handy)))
        )
        try:
            outcome = await self._core.handle(incoming)
        except Exception:
            log.exception("interaction %s (%s) failed in the core", interaction.id, type(payload).__name__)
            outcome = Outcome(notices=(Notice(t(language, "discord.failed")),), refused=True)
        finally:
            timer.cancel()
        if deferral:
            await deferral[0]
        outcome = self._with_warnings(payload, outcome, language)
        try:
            await self._show(interaction, handy, origin, outcome, language, component=component)
        finally:
            handy.responded.set()
        return outcome

    def _with_warnings(self, payload: Payload, outcome: Outcome, language: str) -> Outcome:
        setup = (isinstance(payload, SlashCommand) and payload.text.split()[:1] == ["setup"]) or (
            isinstance(payload, FormSubmission) and payload.form_id == "setup"
        )
        if setup and not outcome.refused and outcome.form is None and not self._reads_messages():
            warning = Notice(t(language, "discord.no_content_intent"))
            return Outcome(notices=(*outcome.notices, warning), extras=outcome.extras)
        return outcome

    async def _show(
        self,
        interaction: discord.Interaction[Any],
        handy: Handy,
        origin: Origin,
        outcome: Outcome,
        language: str,
        *,
        component: bool,
    ) -> None:
        deferred = interaction.response.is_done()
        if outcome.form is not None:
            pending = PendingForm(_with_defaults(outcome.form, interaction), origin, language)
            token = self._forms.hold(pending)
            if not deferred:
                handy.followups = False
                await interaction.response.send_modal(FormModal(pending, token, 0, self._modal_timeout))
                return
            opener = FormButton("o", token, t(language, "discord.form_open"))
            await interaction.followup.send(t(language, "discord.form_ready"), ephemeral=True, view=form_view(opener))
            return
        messages = [(piece, notice.buttons) for notice in outcome.notices for piece in _pieces(notice)]
        if not messages:
            if component and not deferred and interaction.guild_id is not None:
                await interaction.response.defer()  # a silent acknowledgement: the card shows the change
                return
            # In a DM no card shows what the press did: it is answered in words.
            messages = [(t(language, "discord.done"), ())]
        for text, buttons in messages:
            await _say(interaction, text, buttons)


def _typed(components: list[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """(field, value) of a modal submission's text inputs, in action rows or labels, as
    discord.py's Modal reads them."""
    for component in components:
        if component.get("type") == 1:
            yield from _typed(component.get("components", []))
        elif component.get("type") == 18:
            yield from _typed([component.get("component", {})])
        elif "custom_id" in component:
            yield str(component["custom_id"]), str(component.get("value") or "")


def _field_label(language: str, name: str) -> str:
    key = f"form.field.{name}"
    return t(language, key) if has(key) else name


async def _defer(interaction: discord.Interaction[Any], handy: Handy) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    handy.responded.set()


def _pieces(notice: Notice) -> list[str]:
    return split_text(notice.text)


async def _say(interaction: discord.Interaction[Any], text: str, buttons: tuple[Button, ...]) -> None:
    extra: dict[str, Any] = {"view": action_view(buttons)} if buttons else {}
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS, **extra)
    else:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS, **extra)


def _with_defaults(form: Form, interaction: discord.Interaction[Any]) -> Form:
    """The setup form names the circle after the channel when the core had no name to offer,
    and offers the language the facilitator's Discord speaks (as `/codev setup name:…` takes it)."""
    if form.form_id != "setup":
        return form
    channel = interaction.channel
    name = getattr(channel, "name", "") or ""
    if isinstance(channel, discord.Thread) and channel.parent is not None:
        name = channel.parent.name
    defaults = {"language": language_of(interaction), **({"name": name} if name else {})}

    def filled(spec: FormField) -> FormField:
        if spec.name == "name" and spec.initial:
            return spec
        return replace(spec, initial=defaults[spec.name]) if spec.name in defaults else spec

    return replace(form, fields=tuple(filled(spec) for spec in form.fields))


def _with_files(message: discord.Message) -> str:
    """What was written, and the files shared with it, named, with a link to the message:
    an attachment's own link expires after a while, the message's does not."""
    if not message.attachments:
        return message.content
    shared = f"📎 {', '.join(attachment.filename for attachment in message.attachments)} {message.jump_url}"
    return f"{message.content}\n{shared}" if message.content.strip() else shared
