"""The Slack adapter as the core sees it: a `ChatAdapter` (deliver + serve).

Modes, from the settings: Socket Mode when `SLACK_APP_TOKEN` is set (no public URL; only
`/healthz` is served over HTTP), HTTP mode otherwise (`POST /slack/events` on
`CODEV_HTTP_PORT`). Workspaces: one, with `SLACK_BOT_TOKEN`; or any number installed through
OAuth (`SLACK_CLIENT_ID` and `SLACK_CLIENT_SECRET`), whose tokens live in our database.
The adapter opens its own engine on `DATABASE_URL` for the installation store and the App
Home's read-only queries; everything else goes through the core.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters.slack.app import Listeners, build_app
from bot.adapters.slack.background import Background
from bot.adapters.slack.deliver import Connections, SlackDeliverer, web_client
from bot.adapters.slack.manifest import BOT_SCOPES
from bot.adapters.slack.oauth import InstalledTokens, installation_store, oauth_settings
from bot.adapters.slack.server import HttpServer, web_application
from bot.adapters.slack.translate import PLATFORM
from bot.config import Settings
from bot.flows.effects import Effect
from bot.overview import Overview, member_overview
from bot.ports import Address, DeliveryError, Intake, Progress
from bot.storage.engine import make_engine, make_session_factory

log = logging.getLogger(__name__)
REVOKED = frozenset({"invalid_auth", "token_revoked", "account_inactive"})


@dataclass(frozen=True, slots=True)
class Tuning:
    """Knobs tests and benchmarks turn; production keeps the defaults."""

    pace_seconds: float = 1.0  # per channel: Slack's ~1 message/s/channel for chat.postMessage
    rate_limit_retries: int = 3  # in slack-sdk's handler, before the outbox retries later


class SlackAdapter:
    platform = PLATFORM

    def __init__(self, settings: Settings, *, tuning: Tuning | None = None) -> None:
        self._settings = settings
        self._slack = settings.slack
        self._tuning = tuning or Tuning()
        self._engine: AsyncEngine | None = None
        self._store: AsyncSQLAlchemyInstallationStore | None = None
        self._installed_tokens: InstalledTokens | None = None
        self._background = Background()
        self._server: HttpServer | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self.bolt: AsyncApp | None = None
        self._connections = Connections()  # shared by deliveries, the listeners and Bolt's client
        self._deliverer = SlackDeliverer(
            self._token_for,
            self._slack.api_url,
            pace_seconds=self._tuning.pace_seconds,
            rate_limit_retries=self._tuning.rate_limit_retries,
            connections=self._connections,
        )

    @property
    def channel_interval(self) -> float:
        """Seconds between messages in one channel, for the dispatcher's pacer."""
        return self._deliverer.channel_interval

    @property
    def port(self) -> int:
        """The HTTP port actually bound (useful when CODEV_HTTP_PORT is 0)."""
        return self._server.port if self._server else self._settings.server.port

    # --- Deliverer ---------------------------------------------------------------------

    async def deliver(self, effect: Effect, address: Address, progress: Progress) -> str | None:
        try:
            return await self._deliverer.deliver(effect, address, progress)
        except DeliveryError as failed:
            if failed.reason in REVOKED and self._installed_tokens is not None:
                self._installed_tokens.forget(address.workspace_id)  # a reinstall brings a new token
            raise

    # --- ChatAdapter -------------------------------------------------------------------

    async def serve(self, core: Intake) -> None:
        await self.start(core)
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()

    async def start(self, core: Intake) -> None:
        """Listen for Slack (HTTP or Socket Mode) and hand what arrives to `core`."""
        app = self.bolt = self._build_app()
        language = self._settings.behaviour.default_language
        Listeners(core, self._overview, self._background, self._connections, language=language).register(app)
        server = self._settings.server
        if self._slack.socket_mode:
            assert self._slack.app_token is not None
            self._socket = AsyncSocketModeHandler(app, self._slack.app_token.get_secret_value())
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            self._server = HttpServer(web_application(None), server.host, server.port)
        else:
            self._server = HttpServer(web_application(app, core.receiving), server.host, server.port)
        await self._server.start()
        log.info("slack: %s mode, HTTP on %s:%s", "socket" if self._socket else "HTTP", server.host, self.port)

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._server is not None:
            await self._server.stop()
            self._server = None
        await self._background.cancel()
        await self._connections.close()  # a delivery after this opens a fresh one
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def settle(self) -> None:
        """Wait for the work started after acknowledgements (modals, private notes, Home)."""
        await self._background.drain()

    # --- inside ------------------------------------------------------------------------

    def _build_app(self) -> AsyncApp:
        slack = self._slack
        secret = slack.signing_secret.get_secret_value() if slack.signing_secret else None
        session = self._connections.session()
        if slack.oauth:
            assert slack.client_id is not None
            assert slack.client_secret is not None
            store = self._installations()
            settings = oauth_settings(
                slack.client_id, slack.client_secret.get_secret_value(), BOT_SCOPES, store, self._database()
            )
            client = web_client(None, slack.api_url, session=session)
            return build_app(api_url=slack.api_url, signing_secret=secret, client=client, oauth=settings)
        assert slack.bot_token is not None
        client = web_client(slack.bot_token.get_secret_value(), slack.api_url, session=session)
        return build_app(api_url=slack.api_url, signing_secret=secret, client=client)

    def _database(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = make_engine(self._settings.database.url)
        return self._engine

    def _installations(self) -> AsyncSQLAlchemyInstallationStore:
        if self._store is None:
            assert self._slack.client_id is not None
            self._store = installation_store(self._slack.client_id, self._database())
        return self._store

    async def _token_for(self, team_id: str) -> str | None:
        if self._slack.oauth:
            if self._installed_tokens is None:
                self._installed_tokens = InstalledTokens(self._installations())
            return await self._installed_tokens(team_id)
        return self._slack.bot_token.get_secret_value() if self._slack.bot_token else None

    async def _overview(self, team_id: str, user_id: str) -> Overview:
        return await member_overview(make_session_factory(self._database()), PLATFORM, team_id, user_id)
