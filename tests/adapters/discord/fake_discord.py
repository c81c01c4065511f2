"""A fake Discord on 127.0.0.1: REST and gateway enough for the real discord.py 2.7 client.

It records every REST call, keeps the messages and threads the bot creates, sends gateway
events (READY, GUILD_CREATE, THREAD_CREATE, MESSAGE_CREATE, INTERACTION_CREATE…) and lets a
test inject failures (a 429 with retry_after, closed DMs, a lost channel).
See reference/platform-notes.md §3 for the payloads and traps (exact JSON content type, the
Via header on 429s, `attachment_size_limit` on interactions).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from . import payloads as p
from .fake_rest import Call, Failure, FakeRest

GATEWAY_MESSAGE_CONTENT_LIMITED = 1 << 19
MESSAGE_CONTENT_INTENT = 1 << 15
# Generous: waits end as soon as the awaited thing happens, so only a failure waits this long.
WAIT = 20.0


@dataclass(slots=True)
class Session:
    ws: web.WebSocketResponse
    shard: tuple[int, int]
    intents: int
    seq: int = 0
    has_guild: bool = True


@dataclass(slots=True)
class Interacted:
    """An interaction the fake sent; its answers arrive as REST calls."""

    id: str
    token: str
    sent_at: float
    user: str


@dataclass(slots=True)
class Member:
    name: str
    id: int
    payload: dict[str, Any] = field(default_factory=dict)


class FakeDiscord(FakeRest):
    def __init__(
        self,
        *,
        members: tuple[str, ...],
        app_flags: int = GATEWAY_MESSAGE_CONTENT_LIMITED,
        first_id: int = 1_100_000_000_000_000_000,
    ) -> None:
        self._ids = itertools.count(first_id)
        self.app_id = self.new_id()
        self.bot = p.user(self.app_id, "codev", bot=True)
        self.guild_id = self.new_id()
        self.text_id = self.new_id()
        self.forum_id = self.new_id()
        self.app_flags = app_flags
        self.members = {name: Member(name, self.new_id()) for name in members}
        for one in self.members.values():
            one.payload = p.user(one.id, one.name)
        self.channels: dict[str, dict[str, Any]] = {
            str(self.text_id): p.text_channel(self.text_id, self.guild_id, "leaders"),
            str(self.forum_id): p.forum_channel(self.forum_id, self.guild_id, "cases", []),
        }
        self.messages: dict[str, dict[str, Any]] = {}
        self.followups: dict[str, list[dict[str, Any]]] = {}  # interaction token -> messages
        self.dm_of: dict[str, str] = {}  # dm channel id -> user id
        self.closed_dms: set[str] = set()
        self.calls: list[Call] = []
        self.failures: list[Failure] = []
        self.sessions: list[Session] = []
        self.identifies = 0
        self.hide_threads = False  # GUILD_CREATE without threads (as for archived ones)
        self.locale = "en-US"  # the language of the Discord app of whoever interacts
        self._runner: web.AppRunner | None = None
        self.base = ""
        self._tokens = itertools.count(1)

    def new_id(self) -> int:
        return next(self._ids)

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        # A listen backlog above the callbacks a burst of interactions opens at once: past
        # the default 128, connections wait out a SYN retransmit (1 s) and the fake, not the
        # client, sets the pace.
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/v10"

    @property
    def gateway_url(self) -> str:
        return self.base.replace("http://", "ws://") + "/gateway"

    async def stop(self) -> None:
        for session in self.sessions:
            await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what happened ---------------------------------------------------------------------

    def calls_to(self, method: str, pattern: str) -> list[Call]:
        wanted = re.compile(pattern)
        return [call for call in self.calls if call.method == method and wanted.fullmatch(call.path)]

    async def wait_for(self, check: Callable[[], Any], within: float = WAIT) -> Any:
        deadline = time.monotonic() + within
        while True:
            found = check()
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {check}")
            await asyncio.sleep(0.005)

    def answers(self, interacted: Interacted) -> list[Call]:
        """The callback and follow-ups of one interaction, in order."""
        mine = (
            f"/interactions/{interacted.id}/{interacted.token}/callback",
            f"/webhooks/{self.app_id}/{interacted.token}",
        )
        return [call for call in self.calls if call.path in mine and call.status < 300]

    async def answered(self, interacted: Interacted, count: int = 1) -> list[Call]:
        return await self.wait_for(lambda: (found := self.answers(interacted)) and len(found) >= count and found)  # type: ignore[no-any-return]

    def in_channel(self, channel_id: str | int) -> list[dict[str, Any]]:
        return [m for m in self.messages.values() if m["channel_id"] == str(channel_id)]

    def threads(self, parent_id: int) -> list[dict[str, Any]]:
        return [c for c in self.channels.values() if c.get("type") == 11 and c.get("parent_id") == str(parent_id)]

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        body: dict[str, Any],
        *,
        times: int = 1,
        matching: Callable[[Any], bool] | None = None,
        **headers: str,
    ) -> None:
        """Answer the next `times` calls to `path` (whose request body is `matching`, if given)
        with `status` and `body`."""
        self.failures.append(Failure(method, re.compile(path), status, body, headers, times, matching))

    def rate_limit(self, method: str, path: str, retry_after: float, times: int = 1) -> None:
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
        headers = {"Via": "1.1 google", "Retry-After": str(retry_after), "X-RateLimit-Scope": "user"}
        self.fail(method, path, 429, body, times=times, **headers)

    # --- gateway ---------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}, "s": None, "t": None}))
        session: Session | None = None
        async for frame in ws:
            if frame.type is not WSMsgType.TEXT:
                continue
            data = json.loads(frame.data)
            if data["op"] == 1:
                await ws.send_str('{"op": 11, "d": null, "s": null, "t": null}')
            elif data["op"] == 2:
                session = await self._identify(ws, data["d"])
                if session is None:
                    break
        if session is not None and session in self.sessions:
            self.sessions.remove(session)
        return ws

    async def _identify(self, ws: web.WebSocketResponse, identify: dict[str, Any]) -> Session | None:
        self.identifies += 1
        intents = int(identify["intents"])
        if intents & MESSAGE_CONTENT_INTENT and not self.app_flags & GATEWAY_MESSAGE_CONTENT_LIMITED:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        shard_id, shards = identify.get("shard") or (0, 1)
        session = Session(ws, (shard_id, shards), intents, has_guild=(self.guild_id >> 22) % shards == shard_id)
        for stale in [s for s in self.sessions if s.shard[0] == shard_id]:  # a restarted bot's old session
            self.sessions.remove(stale)
        self.sessions.append(session)
        ready = {
            "v": 10,
            "user": self.bot,
            "guilds": [{"id": str(self.guild_id), "unavailable": True}] if session.has_guild else [],
            "session_id": f"session-{self.identifies}",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.app_id), "flags": self.app_flags},
            "shard": [shard_id, shards],
        }
        await self._send(session, "READY", ready)
        if session.has_guild:
            await self._send(session, "GUILD_CREATE", self._guild())
        return session

    def _guild(self) -> dict[str, Any]:
        members = [p.member(self.bot), *(p.member(m.payload) for m in self.members.values())]
        channels = [c for c in self.channels.values() if c["type"] in (0, 15)]
        return p.guild(self.guild_id, next(iter(self.members.values())).id, channels, members) | {
            "threads": [c for c in self.channels.values() if c["type"] == 11 and not self.hide_threads]
        }

    async def _send(self, session: Session, event: str, data: dict[str, Any]) -> None:
        session.seq += 1
        await session.ws.send_str(json.dumps({"op": 0, "t": event, "s": session.seq, "d": data}))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        for session in list(self.sessions):
            if session.has_guild and not session.ws.closed:
                await self._send(session, event, data)

    def _later(self, event: str, data: dict[str, Any]) -> None:
        asyncio.get_running_loop().create_task(self.dispatch(event, dict(data)))

    # --- people acting -------------------------------------------------------------------

    def _channel_payload(self, channel_id: str) -> dict[str, Any]:
        return dict(self.channels[channel_id])

    async def _interaction(
        self, who: str, kind: int, data: dict[str, Any], channel: str | int, message: dict[str, Any] | None = None
    ) -> Interacted:
        interaction_id, token = str(self.new_id()), f"token-{next(self._tokens)}"
        channel = str(channel)
        user = self.members[who].payload
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": str(self.app_id),
            "type": kind,
            "token": token,
            "version": 1,
            "data": data,
            "app_permissions": p.ALL_PERMISSIONS,
            "locale": self.locale,
            "entitlements": [],
            "attachment_size_limit": 10_485_760,
        }
        if channel in self.dm_of:
            payload |= {
                "channel_id": channel,
                "channel": {"id": channel, "type": 1, "recipients": [user]},
                "user": user,
                "context": 1,
                "authorizing_integration_owners": {"1": user["id"]},
            }
        else:
            payload |= {
                "guild_id": str(self.guild_id),
                "guild_locale": "en-US",
                "channel_id": channel,
                "channel": self._channel_payload(channel),
                "member": p.member(user),
                "context": 0,
                "authorizing_integration_owners": {"0": str(self.guild_id)},
            }
        if message is not None:
            payload["message"] = message
        sent = Interacted(interaction_id, token, time.monotonic(), who)
        await self.dispatch("INTERACTION_CREATE", payload)
        return sent

    def _command_data(self, sub: str, options: dict[str, Any], focused: str | None = None) -> dict[str, Any]:
        opts: list[dict[str, Any]] = []
        resolved: dict[str, Any] = {"users": {}, "members": {}}
        for name, value in options.items():
            if isinstance(value, Member):
                opts.append({"name": name, "type": 6, "value": str(value.id)})
                resolved["users"][str(value.id)] = value.payload
                resolved["members"][str(value.id)] = {k: v for k, v in p.member(value.payload).items() if k != "user"}
            else:
                kind = 5 if isinstance(value, bool) else 4 if isinstance(value, int) and name != focused else 3
                opts.append(
                    {"name": name, "type": kind, "value": value, **({"focused": True} if name == focused else {})}
                )
        data = {
            "id": str(self.app_id + 1),
            "name": "codev",
            "type": 1,
            "guild_id": str(self.guild_id),
            "options": [{"name": sub, "type": 1, "options": opts}],
        }
        if resolved["users"]:
            data["resolved"] = resolved
        return data

    async def slash(self, who: str, sub: str, channel: str | int, **options: Any) -> Interacted:
        return await self._interaction(who, 2, self._command_data(sub, options), channel)

    async def autocomplete(self, who: str, sub: str, option: str, typed: str, channel: str | int) -> Interacted:
        return await self._interaction(who, 4, self._command_data(sub, {option: typed}, focused=option), channel)

    async def press(
        self, who: str, message: dict[str, Any], custom_id: str, channel: str | int | None = None
    ) -> Interacted:
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interaction(who, 3, data, channel or message["channel_id"], message)

    async def submit_modal(
        self, who: str, custom_id: str, values: dict[str, str], channel: str | int, *, labelled: bool = False
    ) -> Interacted:
        """`labelled`: each input inside a label component (type 18), as newer clients send
        them, instead of an action row (type 1)."""
        inputs = [{"type": 4, "custom_id": k, "value": v} for k, v in values.items()]
        if labelled:
            rows = [{"type": 18, "component": text_input} for text_input in inputs]
        else:
            rows = [{"type": 1, "components": [text_input]} for text_input in inputs]
        return await self._interaction(who, 5, {"custom_id": custom_id, "components": rows}, channel)

    async def say(self, who: str, channel: str | int, content: str, *, files: tuple[str, ...] = ()) -> str:
        """A member writes in a channel or thread (MESSAGE_CREATE), sharing `files` (names)."""
        author = self.members[who].payload
        message = p.message(self.new_id(), int(channel), author, content, self.guild_id)
        message["attachments"] = [p.attachment(self.new_id(), int(channel), name) for name in files]
        message["member"] = {k: v for k, v in p.member(author).items() if k != "user"}
        if "@everyone" in content:
            message["mention_everyone"] = True
        self.messages[message["id"]] = message
        await self.dispatch("MESSAGE_CREATE", message)
        return str(message["id"])

    async def open_thread(self, who: str, parent: int, name: str) -> str:
        """A member starts a thread (in a forum: a post) of their own."""
        thread_id = self.new_id()
        thread = p.thread(thread_id, self.guild_id, parent, name, self.members[who].id)
        self.channels[str(thread_id)] = thread
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return str(thread_id)
