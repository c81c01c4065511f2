"""Multi-workspace installs: slack-sdk's async SQLAlchemy stores over our database.

The stores' tables are ours (bot/storage/slack_tables.py, migration 0003_slack_oauth); the
stores are only given their names. A workspace's bot token is looked up by team id when the
dispatcher delivers to it; Bolt's own authorization uses the same store for incoming events.
"""

from __future__ import annotations

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.slack_tables import BOTS_TABLE, INSTALLATIONS_TABLE, OAUTH_STATES_TABLE

STATE_EXPIRATION_SECONDS = 600


def installation_store(client_id: str, engine: AsyncEngine) -> AsyncSQLAlchemyInstallationStore:
    return AsyncSQLAlchemyInstallationStore(
        client_id=client_id,
        engine=engine,
        bots_table_name=BOTS_TABLE,
        installations_table_name=INSTALLATIONS_TABLE,
    )


def oauth_settings(
    client_id: str,
    client_secret: str,
    scopes: tuple[str, ...],
    store: AsyncSQLAlchemyInstallationStore,
    engine: AsyncEngine,
) -> AsyncOAuthSettings:
    states = AsyncSQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine, table_name=OAUTH_STATES_TABLE
    )
    return AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(scopes),
        installation_store=store,
        state_store=states,
    )


class InstalledTokens:
    """Bot tokens by team id, from the installation store (cached; a reinstall that changes
    the token is picked up after `forget`)."""

    def __init__(self, store: AsyncSQLAlchemyInstallationStore) -> None:
        self._store = store
        self._cache: dict[str, str] = {}

    async def __call__(self, team_id: str) -> str | None:
        if team_id not in self._cache:
            bot = await self._store.async_find_bot(enterprise_id=None, team_id=team_id)
            if bot is None or not bot.bot_token:
                return None
            self._cache[team_id] = bot.bot_token
        return self._cache[team_id]

    def forget(self, team_id: str) -> None:
        self._cache.pop(team_id, None)
