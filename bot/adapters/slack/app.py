"""The Bolt `AsyncApp` and its listeners: Slack payloads in, the core called, answers out.

Slash commands and thread replies are *accepted* by the inbox (journaled, so a crash loses
nothing) and Slack hears 200 at once; they are applied just after, and a command's answer
follows through its `response_url`. Buttons and modal submissions are applied before the
acknowledgement, since it carries their answer (a form's errors, the next step). The app runs
with `process_before_response=True`, so the acknowledgement leaves only once the listener has
journaled or applied; every Slack call that can wait (opening a modal, a private note, the
Home tab) runs after it, in `Background`. Request signatures are always verified in HTTP mode.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.slack import translate
from bot.adapters.slack.background import Background
from bot.adapters.slack.blocks import ACTION_PREFIX, FORM_CALLBACK, Where, fallback_text, modal, notice_blocks
from bot.adapters.slack.deliver import Connections
from bot.adapters.slack.home import home_view
from bot.adapters.slack.translate import SETTINGS_FORM
from bot.flows.catalog import t
from bot.flows.effects import Button, Form, FormField, Notice
from bot.flows.settings_rules import SETTING_NAMES
from bot.incoming import SETTINGS_EDITABLE, FormSubmission, Incoming, Origin, Outcome
from bot.overview import Overview
from bot.ports import Intake

log = logging.getLogger(__name__)

OverviewSource = Callable[[str, str], Awaitable[Overview]]  # (team id, user id)
CHANNEL_CHECK_BUDGET = 1.5
PROFILE_BUDGET = 1.0


class Listeners:
    """What each kind of Slack payload does; registered on an AsyncApp by `register`."""

    def __init__(
        self,
        core: Intake,
        overview: OverviewSource,
        background: Background,
        connections: Connections,
        *,
        language: str = "en",
    ) -> None:
        self._core = core
        self._overview = overview
        self._background = background
        self._connections = connections
        self._language = language

    def register(self, app: AsyncApp) -> None:
        app.command("/codev")(self.on_command)
        app.event("message")(self.on_message)
        app.event("app_home_opened")(self.on_home_opened)
        app.action(re.compile(f"^{ACTION_PREFIX}"))(self.on_button)
        app.view(FORM_CALLBACK)(self.on_form)
        app.view_closed(FORM_CALLBACK)(self.on_form_closed)

    # --- /codev ------------------------------------------------------------------------

    async def on_command(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        incoming = translate.command(body)
        sub = _subcommand(body)
        if sub == "setup":  # both Slack calls at once: together they stay inside the 3 s
            hint, incoming = await asyncio.gather(
                self._channel_hint(client, incoming.origin.channel_id), self._with_profile(client, incoming)
            )
            if hint is not None:
                await ack(response_type="ephemeral", text=hint)
                return
        elif sub == "join":
            incoming = await self._with_profile(client, incoming)
        # Journaled before the acknowledgement; the answer follows through response_url.
        self._core.accept(incoming, then=partial(self._answer_command, body, incoming.origin, client))
        await ack()

    async def _answer_command(
        self, body: dict[str, Any], origin: Origin, client: AsyncWebClient, outcome: Outcome | None
    ) -> None:
        texts, buttons = _notice_parts(outcome) if outcome is not None else ([t(self._language, "slack.failed")], ())
        where = Where(origin.channel_id, origin.thread_ref)
        trigger = str(body.get("trigger_id") or "")
        if outcome is not None and outcome.form is not None:
            self._open_form(client, trigger, outcome.form, origin)
        elif outcome is not None and _opens_settings_form(body, outcome):
            # The current settings, and a form to change one: `/codev settings NAME VALUE` in a modal.
            self._open_form(client, trigger, self._settings_form(outcome.extras[SETTINGS_EDITABLE]), origin, texts[0])
            return
        url = body.get("response_url")
        if texts and url:
            webhook = AsyncWebhookClient(str(url), session=self._connections.session())
            await webhook.send(
                text=fallback_text(texts[0]),
                blocks=notice_blocks(texts, buttons, where),
                response_type="ephemeral",
                replace_original=False,
            )

    async def _with_profile(self, client: AsyncWebClient, incoming: Incoming) -> Incoming:
        """The sender's display name and time zone from `users.info`; as the command gave
        them (the legacy username, no zone) if Slack fails or is slower than the budget."""
        try:
            async with asyncio.timeout(PROFILE_BUDGET):
                found = await client.users_info(user=incoming.origin.user_id)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as failure:
            log.warning(
                "users.info for %s failed (%r): the command's own name is used", incoming.origin.user_id, failure
            )
            return incoming
        user = found.get("user")
        return translate.with_profile(incoming, user) if isinstance(user, dict) else incoming

    async def _channel_hint(self, client: AsyncWebClient, channel: str) -> str | None:
        """None when the bot can post (and read replies) in `channel`, else how to invite it.
        Public channels are joined at once; Slack's silence past the budget counts as yes."""
        try:
            async with asyncio.timeout(CHANNEL_CHECK_BUDGET):
                return await self._check_channel(client, channel)
        except TimeoutError:
            return None

    async def _check_channel(self, client: AsyncWebClient, channel: str) -> str | None:
        invite = t(self._language, "slack.invite")
        try:
            info = await client.conversations_info(channel=channel)
        except SlackApiError:
            return invite  # channel_not_found: a private channel the bot is not in
        found = info.get("channel") or {}
        if found.get("is_archived"):
            return invite
        if found.get("is_member") or found.get("is_im"):
            return None
        if found.get("is_private"):
            return invite
        try:
            await client.conversations_join(channel=channel)
        except SlackApiError:
            return invite
        return None

    # --- the case thread ---------------------------------------------------------------

    async def on_message(self, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient) -> None:
        incoming = translate.thread_reply(body, context.bot_user_id)
        if incoming is None:
            return
        self._core.accept(incoming, then=partial(self._after_reply, client, incoming.origin))  # journaled before 200

    async def _after_reply(self, client: AsyncWebClient, origin: Origin, outcome: Outcome | None) -> None:
        if outcome is None:  # set aside: say so rather than let the reply seem recorded
            outcome = Outcome(notices=(Notice(t(self._language, "slack.reply_not_recorded")),))
        if outcome.notices:
            self._notify(client, origin, outcome, origin.thread_ref)

    # --- buttons and modals ------------------------------------------------------------

    async def on_button(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        incoming = translate.button(body)
        if incoming is None:
            await ack()
            return
        outcome = await self._core.handle(incoming)
        await ack()
        origin = incoming.origin
        if outcome.form is not None:
            self._open_form(client, str(body.get("trigger_id") or ""), outcome.form, origin)
        if outcome.notices:
            container = body.get("container") or {}
            seen_in = str((body.get("channel") or {}).get("id") or origin.channel_id)
            self._notify(client, origin, outcome, container.get("thread_ts"), channel=seen_in)

    async def on_form(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        incoming = translate.form_submission(body)
        if isinstance(incoming.payload, FormSubmission) and incoming.payload.form_id == "setup":
            incoming = await self._with_profile(client, incoming)  # the facilitator, named as Slack shows them
        outcome = await self._core.handle(incoming)
        origin = incoming.origin
        if outcome.refused and outcome.notices:
            blocks = (body.get("view") or {}).get("blocks") or []
            inputs = [str(b.get("block_id")) for b in blocks if b.get("type") == "input" and b.get("block_id")]
            if inputs:
                # Beside the field at fault when the core names it; a setting's value else.
                named = outcome.extras.get("field")
                at = named if named in inputs else "value" if "value" in inputs else inputs[0]
                await ack(response_action="errors", errors={at: outcome.notices[0].text[:2000]})
                return
        if outcome.form is not None:
            await ack(
                response_action="update", view=self._modal(outcome.form, Where(origin.channel_id, origin.thread_ref))
            )
            return
        await ack()
        if outcome.notices and origin.channel_id:
            self._notify(client, origin, outcome, origin.thread_ref)

    async def on_form_closed(self, ack: AsyncAck) -> None:
        await ack()

    # --- App Home ----------------------------------------------------------------------

    async def on_home_opened(self, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        team = translate.team_of(body)
        self._background.spawn(self._publish_home(client, team, str(event["user"])), "app home")

    async def _publish_home(self, client: AsyncWebClient, team: str, user: str) -> None:
        overview = await self._overview(team, user)
        # Its header speaks the language of the person's circles when they all speak one.
        languages = {str(entry.circle.settings.language) for entry in overview.circles}
        language = languages.pop() if len(languages) == 1 else self._language
        await client.views_publish(user_id=user, view=home_view(overview, datetime.now(UTC).date(), language))

    # --- helpers -----------------------------------------------------------------------

    def _modal(self, form: Form, where: Where) -> dict[str, Any]:
        return modal(form, where, t(form.language, "slack.close"))

    def _settings_form(self, language: str) -> Form:
        names = tuple((name, name) for name in SETTING_NAMES)
        fields = (
            FormField("name", t(language, "slack.settings.name"), options=names, initial=names[0][0]),
            FormField("value", t(language, "slack.settings.value"), max_length=64),
        )
        title, save = t(language, "slack.settings.title"), t(language, "slack.settings.save")
        return Form(SETTINGS_FORM, title, save, fields, language=language)

    def _open_form(self, client: AsyncWebClient, trigger_id: str, form: Form, origin: Origin, intro: str = "") -> None:
        view = modal(form, Where(origin.channel_id, origin.thread_ref), t(form.language, "slack.close"), intro)
        opening = self._open_or_say(client, trigger_id, view, origin, form.language)
        self._background.spawn(opening, f"open form {form.form_id}")

    async def _open_or_say(
        self, client: AsyncWebClient, trigger_id: str, view: dict[str, Any], origin: Origin, language: str
    ) -> None:
        """Open the modal; if Slack will not (its trigger lasts 3 s), say so rather than leave
        the person waiting for a form that never comes."""
        try:
            await client.views_open(trigger_id=trigger_id, view=view)
        except (SlackApiError, aiohttp.ClientError) as failure:
            log.warning("views.open for %s failed (%r): told to try again", origin.user_id, failure)
            notice = Outcome(notices=(Notice(t(language, "slack.form_not_opened")),))
            self._notify(client, origin, notice, origin.thread_ref)

    def _notify(
        self,
        client: AsyncWebClient,
        origin: Origin,
        outcome: Outcome,
        thread_ts: str | None,
        *,
        channel: str | None = None,
    ) -> None:
        texts, buttons = _notice_parts(outcome)
        where = Where(origin.channel_id, origin.thread_ref)
        self._background.spawn(
            client.chat_postEphemeral(
                channel=channel or origin.channel_id,
                user=origin.user_id,
                text=fallback_text(texts[0]),
                blocks=notice_blocks(texts, buttons, where),
                thread_ts=thread_ts,
            ),
            "private note",
        )


def _opens_settings_form(body: dict[str, Any], outcome: Outcome) -> bool:
    """`/codev settings` alone, from a facilitator: its answer (the current settings) leads a
    form to change one. Others only read them."""
    bare = len(str(body.get("text") or "").split()) == 1
    return _subcommand(body) == "settings" and bare and SETTINGS_EDITABLE in outcome.extras


def _subcommand(body: dict[str, Any]) -> str:
    words = str(body.get("text") or "").split()
    return words[0].lower().lstrip("/") if words else ""


def _notice_parts(outcome: Outcome) -> tuple[list[str], tuple[Button, ...]]:
    texts = [notice.text for notice in outcome.notices]
    buttons = tuple(button for notice in outcome.notices for button in notice.buttons)
    return texts, buttons


def build_app(
    *,
    api_url: str,
    signing_secret: str | None,
    client: AsyncWebClient,
    oauth: AsyncOAuthSettings | None = None,
) -> AsyncApp:
    """An AsyncApp bound to `client` (single workspace: a client with the bot token; many
    workspaces: a token-less client and `oauth`, whose installation store authorizes)."""
    if oauth is not None:
        app = AsyncApp(
            signing_secret=signing_secret,
            client=client,
            oauth_settings=oauth,
            installation_store=oauth.installation_store,
            process_before_response=True,
        )
        app.enable_token_revocation_listeners()  # an uninstall deletes the workspace's tokens
        return app
    return AsyncApp(
        signing_secret=signing_secret or "",
        client=client,
        process_before_response=True,
        request_verification_enabled=signing_secret is not None,
    )
