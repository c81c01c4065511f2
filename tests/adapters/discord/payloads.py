"""Discord objects as the fake server sends them: just the fields discord.py 2.7 reads."""

from __future__ import annotations

from typing import Any

TIMESTAMP = "2026-12-01T14:00:00.000000+00:00"
ALL_PERMISSIONS = str((1 << 50) - 1)


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name.title(),
        "avatar": None,
        "bot": bot,
    }


def member(user_payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "user": user_payload,
        "roles": [],
        "joined_at": TIMESTAMP,
        "deaf": False,
        "mute": False,
        "nick": None,
        "flags": 0,
        "permissions": ALL_PERMISSIONS,
    }


def text_channel(channel_id: int, guild_id: int, name: str) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 0,
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "guild_id": str(guild_id),
        "nsfw": False,
        "parent_id": None,
    }


def forum_channel(channel_id: int, guild_id: int, name: str, tags: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        **text_channel(channel_id, guild_id, name),
        "type": 15,
        "available_tags": tags,
        "default_reaction_emoji": None,
        "default_sort_order": None,
        "default_forum_layout": 0,
        "flags": 0,
    }


def thread(thread_id: int, guild_id: int, parent_id: int, name: str, owner_id: int) -> dict[str, Any]:
    return {
        "id": str(thread_id),
        "type": 11,
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "name": name,
        "owner_id": str(owner_id),
        "message_count": 0,
        "member_count": 1,
        "rate_limit_per_user": 0,
        "applied_tags": [],
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 10080,
            "archive_timestamp": TIMESTAMP,
            "locked": False,
        },
    }


def attachment(attachment_id: int, channel_id: int, filename: str) -> dict[str, Any]:
    """A file on a message, with the expiring signed link Discord's CDN gives."""
    url = f"https://cdn.discordapp.com/attachments/{channel_id}/{attachment_id}/{filename}?ex=6750&is=674f&hm=ab"
    return {"id": str(attachment_id), "filename": filename, "size": 1024, "url": url, "proxy_url": url}


def message(
    message_id: int, channel_id: int, author: dict[str, Any], content: str, guild_id: int | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": author,
        "content": content,
        "timestamp": TIMESTAMP,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    return data


def guild(
    guild_id: int, owner_id: int, channels: list[dict[str, Any]], members: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": str(guild_id),
        "name": "Codev test server",
        "icon": None,
        "owner_id": str(owner_id),
        "unavailable": False,
        "member_count": len(members),
        "roles": [
            {
                "id": str(guild_id),
                "name": "@everyone",
                "permissions": ALL_PERMISSIONS,
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
        ],
        "members": members,
        "channels": channels,
        "threads": [],
        "emojis": [],
        "stickers": [],
        "features": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "large": False,
        "preferred_locale": "en-US",
        "premium_tier": 0,
        "mfa_level": 0,
        "verification_level": 0,
        "explicit_content_filter": 0,
        "default_message_notifications": 0,
        "system_channel_flags": 0,
        "nsfw_level": 0,
    }
