"""Delivering outbox effects to Discord through discord.py's HTTP client, which waits out 429s
(`retry_after`) and retries 5xx itself; what it finally raises is mapped for the dispatcher:
missing access or an unknown channel is permanent, the rest is worth retrying later.

A card post returns the id of the case's thread: in a text channel the thread started from
the card message (same id as the message), in a forum the post's thread (same id as its
first message), so replies land in it and thread messages name their case.
"""

from __future__ import annotations

import functools

import aiohttp
import discord

from bot.adapters.discord import http_calls
from bot.adapters.discord.dms import PrivateMessages
from bot.adapters.discord.forum import ARCHIVE_AFTER, ForumThreads
from bot.adapters.discord.render import card_embed, components, split_text, thread_name
from bot.flows.effects import Card, DirectMessage, Effect, Ephemeral, Post, Reply, SendFile, UpdateCard
from bot.ports import Address, DeliveryError, Progress

# Discord JSON error codes after which retrying cannot help.
PERMANENT_CODES = frozenset(
    {
        10003,  # Unknown Channel
        10004,  # Unknown Guild
        10008,  # Unknown Message
        10013,  # Unknown User
        50001,  # Missing Access
        50013,  # Missing Permissions
        50083,  # Thread is archived (and the bot may not unarchive it)
    }
)


_KINDS = {
    10003: "channel_not_found",
    10004: "channel_not_found",
    10008: "message_not_found",
    50001: "missing_access",
    50013: "missing_access",
    50083: "is_archived",
}


class Delivery:
    def __init__(self, client: discord.Client, private: PrivateMessages, forums: ForumThreads) -> None:
        self._client = client
        self._private = private
        self._forums = forums

    async def deliver(self, effect: Effect, address: Address, progress: Progress) -> str | None:
        try:
            return await self._deliver(effect, address, progress)
        except discord.RateLimited as limited:  # longer than max_ratelimit_timeout
            raise DeliveryError(f"rate limited: {limited}", retry_after=limited.retry_after) from limited
        except discord.HTTPException as failed:
            permanent = failed.code in PERMANENT_CODES or failed.status in (400, 401, 403, 404)
            # The facilitators' notice names the kind of failure (bot.delivery_failures).
            kind = _KINDS.get(failed.code, "discord_error")
            reason = f"{kind}: Discord {failed.status} ({failed.code}) {failed.text}"
            raise DeliveryError(reason, permanent=permanent) from failed
        except (aiohttp.ClientError, OSError, TimeoutError) as down:
            raise DeliveryError(f"Discord unreachable: {type(down).__name__}: {down}") from down

    async def _deliver(self, effect: Effect, address: Address, progress: Progress) -> str | None:
        http = self._client.http
        match effect:
            case Post(text=text, card=None):
                where = await self._forums.channel_for_posts(address)
                return await http_calls.send_all(http, where, split_text(text), progress)
            case Post(text=text, card=Card() as card):
                return await self._post_case(address, card, text, progress)
            case Reply(text=text, buttons=buttons):
                assert address.thread_ref is not None  # the dispatcher waits for the card
                pieces = split_text(text)
                return await http_calls.send_all(http, address.thread_ref, pieces, progress, rows=components(buttons))
            case DirectMessage() | Ephemeral():
                return await self._private.send(effect, address, progress)
            case SendFile():
                return await self._private.send_file(effect, address)
            case UpdateCard(card=card):
                assert address.thread_ref is not None
                forum = await self._forums.is_forum(address.channel_id)
                # A forum post's first message lives in its thread; a text channel's card in the channel.
                holder = address.thread_ref if forum else address.channel_id
                await http_calls.edit_card(http, holder, address.thread_ref, card_embed(card), components(card.buttons))
                if forum:
                    await self._forums.retag(address.channel_id, address.thread_ref, card)
                return None
            case _:
                raise DeliveryError(f"Discord cannot show a {effect.kind!r} effect", permanent=True)

    async def _post_case(self, address: Address, card: Card, text: str, progress: Progress) -> str:
        embed, rows = card_embed(card), components(card.buttons)
        if await self._forums.is_forum(address.channel_id):
            return await self._forums.post_case(address.channel_id, card, text, embed, rows, progress)
        http = self._client.http
        pieces = split_text(text)
        posting = functools.partial(http_calls.send_id, http, address.channel_id, pieces[0], embed=embed, rows=rows)
        message_id = await progress.part(posting)
        assert message_id is not None  # the card's id: returned, or kept by an earlier attempt
        threading = functools.partial(self._start_thread, address.channel_id, message_id, card)
        await progress.part(threading)
        # A thread started from a message has the message's id.
        if len(pieces) > 1:
            await http_calls.send_all(http, message_id, pieces[1:], progress)
        return message_id

    async def _start_thread(self, channel_id: str, message_id: str, card: Card) -> str:
        thread = await self._client.http.start_thread_with_message(
            channel_id, message_id, name=thread_name(card), auto_archive_duration=ARCHIVE_AFTER
        )
        return str(thread["id"])
