"""Discord: circles in Discord servers through discord.py (install the `discord` extra).

    DiscordAdapter(settings.discord).serve(core)   the bot, in `codev run`
    run_sync(settings.discord)                      `codev discord-sync`

Modules: client (discord.py client, endpoints, intents, shards), commands (`/codev`),
translate (Discord in, incoming events out; answering within 3 s), views (persistent
buttons, modals), render (embeds, components, splitting), deliver (outbox effects out),
dms (private messages), forum (forum posts and phase tags), sync (command registration).
"""

from __future__ import annotations

import warnings

# discord.py 2.7 imports the standard library's audioop (for voice, which Codev never uses),
# deprecated since Python 3.11: keep that one import-time warning quiet, before anything else
# imports discord.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import discord  # noqa: F401

from bot.adapters.discord.adapter import DiscordAdapter, Tuning
from bot.adapters.discord.sync import run_sync

__all__ = ["DiscordAdapter", "Tuning", "run_sync"]
