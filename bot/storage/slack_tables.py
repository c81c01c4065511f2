"""Slack's OAuth tables (installations, bots, OAuth states) on our MetaData.

slack-sdk's SQLAlchemy stores define these tables on a private MetaData of their own; built
here through the stores' own classmethods, they join ours, so Alembic manages them (migration
0003_slack_oauth) and the stores read and write the very tables it created. The names must
match what bot/adapters/slack/oauth.py passes the stores.
"""

from __future__ import annotations

from sqlalchemy import MetaData, Table

INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
OAUTH_STATES_TABLE = "slack_oauth_states"


def add_slack_oauth_tables(metadata: MetaData) -> tuple[Table, ...]:
    """The three tables on `metadata`; none when the `slack` extra is not installed."""
    try:
        from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
        from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
    except ImportError:  # pragma: no cover - core-only install: the tables stay unused
        return ()
    return (
        AsyncSQLAlchemyInstallationStore.build_installations_table(metadata, INSTALLATIONS_TABLE),
        AsyncSQLAlchemyInstallationStore.build_bots_table(metadata, BOTS_TABLE),
        AsyncSQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, OAUTH_STATES_TABLE),
    )
