"""The Slack `Deliverer`: one effect, one address, through the Web API.

Retries: slack-sdk's async handlers retry a 429 after its Retry-After, a 500/503 with
backoff, and a dropped connection; what still fails comes back to the dispatcher as a
`DeliveryError` (with Retry-After, if Slack gave one), so the outbox retries it later and
nothing is lost. Errors that no retry can fix (the channel is gone, archived, or the bot is
not in it) are permanent. Pacing: Slack allows about one message per second per channel.
The dispatcher's per-channel pacer (bot/scheduler_pacing.py) spaces effects by
`channel_interval`. This deliverer also keeps a gate per channel, so the pace holds where
the dispatcher cannot see: between the messages of one effect (a card and its announcement,
a text past 50 blocks) and around slack-sdk's own 429 retries, which happen inside a call.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.adapters.slack.blocks import Where, card_blocks, card_fallback, fallback_text, message_batches
from bot.adapters.slack.escape import escape
from bot.flows.effects import Button, Card, DirectMessage, Effect, Ephemeral, Post, Reply, SendFile, UpdateCard
from bot.ports import Address, DeliveryError, Progress

log = logging.getLogger(__name__)

PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "invalid_auth",
        "token_revoked",
        "no_permission",
        "user_not_found",
        "cannot_dm_bot",
        "message_not_found",
        "cant_update_message",
        "team_access_not_granted",
    }
)
T = TypeVar("T")
API_TIMEOUT = 30  # seconds, per call to Slack
TokenSource = Callable[[str], Awaitable[str | None]]


def retry_handlers(rate_limit_retries: int = 3, server_error_retries: int = 2) -> list[AsyncRetryHandler]:
    return [
        AsyncConnectionErrorRetryHandler(),
        AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        AsyncServerErrorRetryHandler(max_retry_count=server_error_retries),
    ]


def web_client(
    token: str | None, base_url: str, *, rate_limit_retries: int = 3, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    """A Web API client. Without `session`, slack-sdk opens a new one, and a new connection
    to Slack, for every call."""
    client = AsyncWebClient(token=token, base_url=base_url, timeout=API_TIMEOUT, session=session)
    client.retry_handlers = retry_handlers(rate_limit_retries)
    return client


class Connections:
    """One aiohttp session for every call to Slack (Web API and response URLs), opened on
    first use in the running event loop: calls reuse its kept-alive connections."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # A shared session's own timeout bounds each call (slack-sdk passes none per call).
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=API_TIMEOUT))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class ChannelGate:
    """One chat.postMessage in flight per channel, each at least `interval` seconds after
    the previous one ended (a 429 retry inside the call counts as part of it)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._last: dict[tuple[str, str], float] = {}

    async def send(self, key: tuple[str, str], call: Callable[[], Awaitable[T]]) -> T:
        if self.interval <= 0:
            return await call()
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            wait = self._last.get(key, float("-inf")) + self.interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                return await call()
            finally:
                self._last[key] = time.monotonic()


class SlackDeliverer:
    """Renders Post, Reply, DirectMessage, Ephemeral, UpdateCard and SendFile; refuses the rest."""

    platform = "slack"

    def __init__(
        self,
        tokens: TokenSource,
        base_url: str,
        *,
        pace_seconds: float = 1.0,
        rate_limit_retries: int = 3,
        connections: Connections | None = None,
    ) -> None:
        self._tokens = tokens
        self._connections = connections or Connections()
        self._base_url = base_url
        self.channel_interval = pace_seconds
        self._gate = ChannelGate(pace_seconds)
        self._rate_limit_retries = rate_limit_retries
        self._clients: dict[str, AsyncWebClient] = {}
        self._dm_channels: dict[tuple[str, str], str] = {}

    async def client_for(self, workspace_id: str) -> AsyncWebClient:
        token = await self._tokens(workspace_id)
        if not token:
            raise DeliveryError(f"no Slack installation for workspace {workspace_id}", permanent=True)
        client = self._clients.get(token)
        session = self._connections.session()
        if client is None or client.session is not session:  # new, or its session was closed
            client = self._clients[token] = web_client(
                token, self._base_url, rate_limit_retries=self._rate_limit_retries, session=session
            )
        return client

    async def deliver(self, effect: Effect, address: Address, progress: Progress) -> str | None:
        client = await self.client_for(address.workspace_id)
        try:
            return await self._deliver(client, effect, address, progress)
        except SlackApiError as exc:
            raise _delivery_error(exc) from exc

    async def _deliver(
        self, client: AsyncWebClient, effect: Effect, address: Address, progress: Progress
    ) -> str | None:
        where = Where(address.channel_id, address.thread_ref)
        team, channel = address.workspace_id, address.channel_id
        match effect:
            case Post(text=text, card=None):
                return await self._post(client, team, channel, text, (), None, where, progress)
            case Post(text=text, card=Card() as card):
                if text.strip():
                    await self._post(client, team, channel, text, (), None, where, progress)
                post_card = functools.partial(
                    client.chat_postMessage,
                    channel=channel,
                    text=card_fallback(card),
                    blocks=card_blocks(card, where),
                    unfurl_links=False,
                )
                return await progress.part(functools.partial(self._send, (team, channel), post_card))
            case Reply(text=text, buttons=buttons):
                return await self._post(client, team, channel, text, buttons, address.thread_ref, where, progress)
            case DirectMessage(user_id=user, text=text, buttons=buttons):
                dm = await self._dm_channel(client, team, user)
                return await self._post(client, team, dm, text, buttons, None, where, progress)
            case Ephemeral(user_id=user, text=text, buttons=buttons, case_id=case_id):
                for blocks in message_batches(text, buttons, where=where):
                    show = functools.partial(
                        client.chat_postEphemeral,
                        channel=channel,
                        user=user,
                        text=fallback_text(text),
                        blocks=blocks,
                        thread_ts=address.thread_ref if case_id else None,
                    )
                    await progress.part(functools.partial(_no_ref, show))
                return None
            case UpdateCard(card=card):
                if address.thread_ref is None:
                    raise DeliveryError("the case card has not been posted yet")
                await client.chat_update(
                    channel=channel, ts=address.thread_ref, text=card_fallback(card), blocks=card_blocks(card, where)
                )
                return None
            case SendFile(user_id=user, filename=filename, content=content, text=text):
                # The external upload flow: files.getUploadURLExternal, the upload itself,
                # then files.completeUploadExternal shares it in the person's DM.
                dm = await self._dm_channel(client, team, user)
                await client.files_upload_v2(
                    channel=dm, filename=filename, title=filename, content=content, initial_comment=escape(text)
                )
                return None
            case _:
                raise DeliveryError(f"the Slack adapter cannot render a {effect.kind!r} effect", permanent=True)

    async def _post(
        self,
        client: AsyncWebClient,
        team: str,
        channel: str,
        text: str,
        buttons: tuple[Button, ...],
        thread_ts: str | None,
        where: Where,
        progress: Progress,
    ) -> str | None:
        """Post `text` (over several messages if it needs more than 50 blocks); the first
        message's id is returned."""
        first: str | None = None
        for blocks in message_batches(text, buttons, where=where):
            post = functools.partial(
                client.chat_postMessage,
                channel=channel,
                text=fallback_text(text),
                blocks=blocks,
                thread_ts=thread_ts,
                unfurl_links=False,
            )
            ref = await progress.part(functools.partial(self._send, (team, channel), post))
            first = first or ref
        return first

    async def _send(self, key: tuple[str, str], post: Callable[[], Awaitable[AsyncSlackResponse]]) -> str:
        """chat.postMessage through the channel's gate; the message's ts."""
        response = await self._gate.send(key, post)
        return str(response["ts"])

    async def _dm_channel(self, client: AsyncWebClient, workspace_id: str, user: str) -> str:
        key = (workspace_id, user)
        if key not in self._dm_channels:
            opened = await client.conversations_open(users=user)
            self._dm_channels[key] = str(opened["channel"]["id"])
        return self._dm_channels[key]


async def _no_ref(call: Callable[[], Awaitable[AsyncSlackResponse]]) -> None:
    await call()


def _delivery_error(exc: SlackApiError) -> DeliveryError:
    response = exc.response
    error = str(response.get("error") or "unknown_error") if isinstance(response.data, dict) else "unknown_error"
    if error in PERMANENT_ERRORS:
        return DeliveryError(error, permanent=True)
    retry_after: float | None = None
    header = response.headers.get("Retry-After") or response.headers.get("retry-after")
    if header:
        try:
            retry_after = float(header)
        except ValueError:
            retry_after = None
    return DeliveryError(f"{error} (HTTP {response.status_code})", retry_after=retry_after)
