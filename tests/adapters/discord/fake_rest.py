"""The fake Discord's REST API: the routes discord.py calls, answered from the fake's state.

Mixed into `FakeDiscord` (fake_discord.py), which holds the state and the gateway.
Responses carry `Content-Type: application/json` exactly (discord.py compares the header),
and 429s carry a `Via` header (without it discord.py takes them for a Cloudflare ban).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from . import payloads as p


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    body: Any
    at: float
    status: int


@dataclass(slots=True)
class Failure:
    method: str
    path: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    times: int
    matching: Callable[[Any], bool] | None = None  # the request bodies it fails; None: all


class FakeRest:
    """REST handlers; the attributes below live on `FakeDiscord`."""

    app_id: int
    bot: dict[str, Any]
    guild_id: int
    app_flags: int
    members: dict[str, Any]
    channels: dict[str, dict[str, Any]]
    messages: dict[str, dict[str, Any]]
    followups: dict[str, list[dict[str, Any]]]
    dm_of: dict[str, str]
    closed_dms: set[str]
    calls: list[Call]
    failures: list[Failure]

    def new_id(self) -> int:
        raise NotImplementedError

    @property
    def gateway_url(self) -> str:
        raise NotImplementedError

    def _later(self, event: str, data: dict[str, Any]) -> None:
        raise NotImplementedError

    # --- REST ----------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            body = json.loads(str(form["payload_json"]))
            body["files"] = {
                field.filename: field.file.read().decode() for field in form.values() if hasattr(field, "filename")
            }
        elif request.can_read_body:
            raw = await request.read()
            body = json.loads(raw) if raw and request.content_type == "application/json" else raw.decode()
        status, answer, headers = self._answer(request.method, path, body, request.headers.get("Authorization", ""))
        self.calls.append(Call(request.method, path, dict(request.query), body, time.monotonic(), status))
        if answer is None:
            return web.Response(status=status, headers=headers)
        return web.Response(
            status=status, body=json.dumps(answer).encode(), headers={"Content-Type": "application/json", **headers}
        )

    def _answer(self, method: str, path: str, body: Any, auth: str) -> tuple[int, Any, dict[str, str]]:
        for failure in self.failures:
            if (
                failure.times > 0
                and failure.method == method
                and failure.path.fullmatch(path)
                and (failure.matching is None or failure.matching(body))
            ):
                failure.times -= 1
                return failure.status, failure.body, failure.headers
        if not auth.startswith("Bot ") and not path.startswith(("/webhooks/", "/interactions/")):
            return 401, {"message": "401: Unauthorized", "code": 0}, {}
        for (verb, pattern), handler in _ROUTES.items():
            found = re.fullmatch(pattern, path)
            if verb == method and found:
                return handler(self, body, *found.groups())
        return 404, {"message": f"no fake for {method} {path}", "code": 0}, {}

    def _me(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        return 200, self.bot, {}

    def _application(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        owner = next(iter(self.members.values())).payload
        app = {
            "id": str(self.app_id),
            "name": "Codev",
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": owner,
            "verify_key": "0" * 64,
            "flags": self.app_flags,
            "team": None,
            "summary": "",
        }
        return 200, app, {}

    def _bot_gateway(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return 200, {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}, {}

    def _my_guilds(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        return (
            200,
            [
                {
                    "id": str(self.guild_id),
                    "name": "Codev test server",
                    "icon": None,
                    "owner": False,
                    "permissions": p.ALL_PERMISSIONS,
                    "features": [],
                }
            ],
            {},
        )

    def _sync(self, body: Any, app: str, guild: str) -> tuple[int, Any, dict[str, str]]:
        echoed = [
            {**command, "id": str(self.new_id()), "application_id": app, "version": "1", "guild_id": guild}
            for command in body
        ]
        return 200, echoed, {}

    def _callback(self, body: Any, interaction: str, token: str) -> tuple[int, Any, dict[str, str]]:
        kind = body["type"]
        data = body.get("data") or {}
        answer: dict[str, Any] = {
            "interaction": {
                "id": interaction,
                "type": 2,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool((data.get("flags") or 0) & 64),
            }
        }
        if kind in (4, 5):
            message = p.message(self.new_id(), 0, self.bot, data.get("content") or "")
            answer["resource"] = {"type": kind, "message": message}
        return 200, answer, {}

    def _followup(self, body: Any, app: str, token: str) -> tuple[int, Any, dict[str, str]]:
        message = p.message(self.new_id(), 0, self.bot, body.get("content") or "")
        message |= {"webhook_id": app, "components": body.get("components") or [], "flags": body.get("flags") or 0}
        self.followups.setdefault(token, []).append(message)
        return 200, message, {}

    def _post_message(self, body: Any, channel: str) -> tuple[int, Any, dict[str, str]]:
        if channel in self.dm_of and self.dm_of[channel] in self.closed_dms:
            return 403, {"message": "Cannot send messages to this user", "code": 50007}, {}
        if channel not in self.channels and channel not in self.dm_of:
            return 404, {"message": "Unknown Channel", "code": 10003}, {}
        message = self._store(channel, body)
        return 200, message, {}

    def _store(self, channel: str, body: dict[str, Any]) -> dict[str, Any]:
        message = p.message(self.new_id(), int(channel), self.bot, body.get("content") or "")
        message["embeds"] = body.get("embeds") or []
        message["components"] = body.get("components") or []
        message["allowed_mentions"] = body.get("allowed_mentions")
        message["files"] = body.get("files") or {}
        self.messages[message["id"]] = message
        return message

    def _edit_message(self, body: Any, channel: str, message_id: str) -> tuple[int, Any, dict[str, str]]:
        found = self.messages.get(message_id)
        if found is None:
            return 404, {"message": "Unknown Message", "code": 10008}, {}
        for key in ("content", "embeds", "components"):
            if key in body:
                found[key] = body[key]
        return 200, found, {}

    def _thread_from_message(self, body: Any, channel: str, message_id: str) -> tuple[int, Any, dict[str, str]]:
        thread = p.thread(int(message_id), self.guild_id, int(channel), body["name"], self.app_id)
        self.channels[message_id] = thread
        self._later("THREAD_CREATE", {**thread, "newly_created": True})
        return 201, thread, {}

    def _forum_thread(self, body: Any, forum: str) -> tuple[int, Any, dict[str, str]]:
        thread_id = self.new_id()
        thread = p.thread(thread_id, self.guild_id, int(forum), body["name"], self.app_id)
        thread["applied_tags"] = body.get("applied_tags") or []
        self.channels[str(thread_id)] = thread
        message = self._store(str(thread_id), body["message"])
        del self.messages[message["id"]]
        message["id"] = str(thread_id)  # a forum post's first message has the thread's id
        self.messages[message["id"]] = message
        self._later("THREAD_CREATE", {**thread, "newly_created": True})
        return 201, {**thread, "message": message}, {}

    def _edit_channel(self, body: Any, channel: str) -> tuple[int, Any, dict[str, str]]:
        found = self.channels.get(channel)
        if found is None:
            return 404, {"message": "Unknown Channel", "code": 10003}, {}
        if "available_tags" in body:
            found["available_tags"] = [
                {
                    "id": tag.get("id") or str(self.new_id()),
                    "name": tag["name"],
                    "moderated": False,
                    "emoji_id": None,
                    "emoji_name": None,
                }
                for tag in body["available_tags"]
            ]
            self._later("CHANNEL_UPDATE", found)
        if "applied_tags" in body:
            found["applied_tags"] = body["applied_tags"]
            self._later("THREAD_UPDATE", found)
        return 200, found, {}

    def _get_channel(self, body: Any, channel: str) -> tuple[int, Any, dict[str, str]]:
        found = self.channels.get(channel)
        if found is None:
            return 404, {"message": "Unknown Channel", "code": 10003}, {}
        return 200, found, {}

    def _open_dm(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        user_id = str(body["recipient_id"])
        channel = next((c for c, u in self.dm_of.items() if u == user_id), None)
        if channel is None:
            channel = str(self.new_id())
            self.dm_of[channel] = user_id
        recipient = next(m.payload for m in self.members.values() if str(m.id) == user_id)
        return 200, {"id": channel, "type": 1, "recipients": [recipient], "last_message_id": None}, {}

    def dm_messages(self, name: str) -> list[dict[str, Any]]:
        user_id = str(self.members[name].id)
        return [m for c, u in self.dm_of.items() if u == user_id for m in self.in_channel(c)]


_ROUTES: dict[tuple[str, str], Callable[..., tuple[int, Any, dict[str, str]]]] = {
    ("GET", r"/users/@me"): FakeRest._me,
    ("GET", r"/users/@me/guilds"): FakeRest._my_guilds,
    ("POST", r"/users/@me/channels"): FakeRest._open_dm,
    ("GET", r"/oauth2/applications/@me"): FakeRest._application,
    ("GET", r"/gateway/bot"): FakeRest._bot_gateway,
    ("PUT", r"/applications/(\d+)/guilds/(\d+)/commands"): FakeRest._sync,
    ("POST", r"/interactions/(\d+)/([^/]+)/callback"): FakeRest._callback,
    ("POST", r"/webhooks/\d+/([^/]+)"): lambda self, body, token: FakeRest._followup(self, body, "", token),
    ("POST", r"/channels/(\d+)/messages"): FakeRest._post_message,
    ("PATCH", r"/channels/(\d+)/messages/(\d+)"): FakeRest._edit_message,
    ("POST", r"/channels/(\d+)/messages/(\d+)/threads"): FakeRest._thread_from_message,
    ("POST", r"/channels/(\d+)/threads"): FakeRest._forum_thread,
    ("PATCH", r"/channels/(\d+)"): FakeRest._edit_channel,
    ("GET", r"/channels/(\d+)"): FakeRest._get_channel,
}
