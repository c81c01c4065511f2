"""Forum channels: a case is a forum post tagged with its phase; circle-wide posts (welcomes,
digests) go to one "circle news" post, as a forum has no plain messages.

Tags and the news post are found on Discord at run time (by name, and by the bot owning the
post), never stored: a tag renamed or deleted by an admin is simply created again.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Literal

import discord

from bot.adapters.discord import http_calls
from bot.adapters.discord.render import NO_MENTIONS, phase_of, phase_tag_name, phase_tag_names, split_text
from bot.flows.catalog import t
from bot.flows.effects import Card
from bot.ports import Address, Progress

log = logging.getLogger(__name__)

ARCHIVE_AFTER: Literal[10080] = 10080  # minutes: a week, Discord's longest


class ForumThreads:
    def __init__(self, client: discord.Client) -> None:
        self._client = client
        self._news: dict[str, str] = {}  # forum id -> news post id
        # What this process set, ahead of the gateway's CHANNEL_UPDATE / THREAD_UPDATE.
        self._tags: dict[tuple[str, str], int] = {}  # (forum id, tag name) -> tag id
        self._applied: dict[str, list[int]] = {}  # thread id -> applied tag ids

    async def channel(self, channel_id: str) -> Any:
        found = self._client.get_channel(int(channel_id))
        if found is None:
            found = await self._client.fetch_channel(int(channel_id))
        return found

    async def is_forum(self, channel_id: str) -> bool:
        return isinstance(await self.channel(channel_id), discord.ForumChannel)

    async def channel_for_posts(self, address: Address) -> str:
        """Where a message for the whole circle goes: the channel, or a forum's news post."""
        forum = await self.channel(address.channel_id)
        if not isinstance(forum, discord.ForumChannel):
            return address.channel_id
        known = self._news.get(address.channel_id)
        if known is not None:
            return known
        me = self._client.user.id if self._client.user else None
        name = t("en", "discord.news_thread"), t("fr", "discord.news_thread")
        for thread in forum.threads:
            if thread.owner_id == me and thread.name in name and not thread.archived:
                self._news[address.channel_id] = str(thread.id)
                return str(thread.id)
        params = discord.http.handle_message_parameters(
            content="Codev", allowed_mentions=NO_MENTIONS, channel_payload=_thread_payload(name[0])
        )
        data = await self._client.http.start_thread_in_forum(forum.id, params=params)
        self._news[address.channel_id] = str(data["id"])
        return str(data["id"])

    async def post_case(
        self, forum_id: str, card: Card, text: str, embed: discord.Embed, rows: list[dict[str, Any]], progress: Progress
    ) -> str:
        """The case as a forum post: the card is its first message, tagged with the phase;
        the rest of `text` follows in the post (each message through `progress`)."""
        pieces = split_text(text)
        posting = functools.partial(self._open_post, forum_id, card, pieces[0], embed, rows)
        thread_id = await progress.part(posting)
        assert thread_id is not None  # the post's id: returned, or kept by an earlier attempt
        if len(pieces) > 1:
            await http_calls.send_all(self._client.http, thread_id, pieces[1:], progress)
        return thread_id

    async def _open_post(
        self, forum_id: str, card: Card, first_piece: str, embed: discord.Embed, rows: list[dict[str, Any]]
    ) -> str:
        payload = _thread_payload(card.title[:100])
        tag = await self._phase_tag(forum_id, card)
        if tag is not None:
            payload["applied_tags"] = [str(tag)]
        params = discord.http.handle_message_parameters(
            content=first_piece or None, embed=embed, allowed_mentions=NO_MENTIONS, channel_payload=payload
        )
        http_calls.payload_of(params)["message"]["components"] = rows
        data = await self._client.http.start_thread_in_forum(int(forum_id), params=params)
        thread_id = str(data["id"])
        if tag is not None:
            self._applied[thread_id] = [tag]
        return thread_id

    async def retag(self, forum_id: str, thread_id: str, card: Card) -> None:
        """Keep the post's phase tag current; other tags an admin added stay."""
        tag = await self._phase_tag(forum_id, card)
        if tag is None:
            return
        forum = await self.channel(forum_id)
        phase_tags = {tag_.id for tag_ in forum.available_tags if tag_.name in phase_tag_names()}
        phase_tags |= {tag_id for (forum_, _name), tag_id in self._tags.items() if forum_ == forum_id}
        current = self._applied.get(thread_id)
        if current is None:
            thread = await self.channel(thread_id)
            current = [tag_.id for tag_ in getattr(thread, "applied_tags", [])]
        wanted = ([tag_id for tag_id in current if tag_id not in phase_tags] + [tag])[-5:]
        if current == wanted:
            return
        await self._client.http.edit_channel(int(thread_id), applied_tags=[str(tag_id) for tag_id in wanted])
        self._applied[thread_id] = wanted

    async def _phase_tag(self, forum_id: str, card: Card) -> int | None:
        """The id of the tag naming the card's phase, created when the forum lacks it."""
        found = phase_of(card)
        if found is None:
            return None
        name = phase_tag_name(*found)
        if (forum_id, name) in self._tags:
            return self._tags[(forum_id, name)]
        forum = await self.channel(forum_id)
        if not isinstance(forum, discord.ForumChannel):
            return None
        for tag in forum.available_tags:
            if tag.name == name:
                self._tags[(forum_id, name)] = tag.id
                return tag.id
        tags = {
            tag.id: {"id": str(tag.id), "name": tag.name, "moderated": tag.moderated} for tag in forum.available_tags
        }
        for (forum_, name_), tag_id in self._tags.items():
            if forum_ == forum_id and tag_id not in tags:  # created here, not yet in the cache
                tags[tag_id] = {"id": str(tag_id), "name": name_, "moderated": False}
        try:
            data = await self._client.http.edit_channel(forum.id, available_tags=[*tags.values(), {"name": name}])
        except discord.HTTPException as refused:  # Manage Channels missing, or the forum's 20 tags taken
            log.warning("cannot create the forum tag %r in %s: %s; the post goes untagged", name, forum_id, refused)
            return None
        found_tags: list[dict[str, Any]] = list(data.get("available_tags") or [])  # type: ignore[call-overload]
        created = [tag for tag in found_tags if tag.get("name") == name]
        if not created:
            return None
        self._tags[(forum_id, name)] = int(created[0]["id"])
        return self._tags[(forum_id, name)]


def _thread_payload(name: str) -> dict[str, Any]:
    return {"name": name, "auto_archive_duration": ARCHIVE_AFTER, "type": 11}
