"""A fake Slack Web API on 127.0.0.1: records every call and answers as Slack does.

Like bolt-python's own `tests/mock_web_api_server`, but an aiohttp server on port 0 in the
test's event loop. Teams are told apart by bot token (`xoxb-<team>`). Failures are queued
per method on demand: an error body (`channel_not_found`…), or HTTP 429 with Retry-After.
It also serves the `response_url`s of commands, file upload URLs and `apps.connections.open`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = "UCODEVBOT"


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    params: dict[str, Any]
    token: str | None
    at: float  # time.monotonic() when it arrived
    peer: int = 0  # the client's port: calls over one kept-alive connection share it

    @property
    def team(self) -> str | None:
        return self.token.removeprefix("xoxb-") if self.token and self.token.startswith("xoxb-") else None


@dataclass(slots=True)
class Failure:
    error: str
    status: int = 200
    retry_after: int | None = None
    matching: Callable[[dict[str, Any]], bool] | None = None  # the calls it fails; None: the next one


@dataclass
class Message:
    """What a channel shows: the message's latest blocks (chat.update replaces them)."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None
    team: str | None
    history: list[list[dict[str, Any]]] = field(default_factory=list)
    at: float = 0.0  # time.monotonic() when posted


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[tuple[str | None, str], Message] = {}  # (team, ts)
        self.responses: list[dict[str, Any]] = []  # what response_urls received
        self.answers: dict[str, dict[str, Any]] = {}  # the same, by the key in the response_url
        self.uploads: dict[str, bytes] = {}
        self.not_member: set[str] = set()  # channels the bot is not in (conversations.info)
        self.archived: set[str] = set()  # channels whose posts fail with is_archived
        self.profiles: dict[str, dict[str, Any]] = {}  # users.info's `user`, by user id (else a bare one)
        self.socket_url: str | None = None
        self.envelopes: list[dict[str, Any]] = []  # sent to each Socket Mode connection after hello
        self.socket_acks: list[dict[str, Any]] = []
        self.acked = asyncio.Event()
        self._failures: dict[str, deque[Failure]] = defaultdict(deque)
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- set-up ------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_post("/upload/{file}", self._upload)
        app.router.add_get("/link/", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        self.socket_url = f"ws://127.0.0.1:{port}/link/?ticket=fake-ticket&app_id=ACODEV"
        return f"{self.url}/api/"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail(
        self,
        method: str,
        error: str,
        *,
        times: int = 1,
        status: int = 200,
        retry_after: int | None = None,
        matching: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` (whose parameters are `matching`, if
        given) with `error`."""
        for _ in range(times):
            self._failures[method].append(Failure(error, status, retry_after, matching))

    def rate_limit(self, method: str, *, times: int, retry_after: int = 0) -> None:
        self.fail(method, "ratelimited", times=times, status=429, retry_after=retry_after)

    # --- reading back ------------------------------------------------------------------

    def called(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def posted(self, channel: str | None = None, *, team: str | None = None) -> list[Message]:
        return [
            m
            for m in self.messages.values()
            if (channel is None or m.channel == channel) and (team is None or m.team == team)
        ]

    def cards(self, team: str | None = None) -> list[Message]:
        return [m for m in self.posted(team=team) if m.blocks and m.blocks[0].get("type") == "header"]

    # --- the API -----------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        else:
            params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or params.get("token")
        peer = request.transport.get_extra_info("peername") if request.transport else None
        call = Call(method, params, token, time.monotonic(), peer[1] if peer else 0)
        self.calls.append(call)
        failure = next((f for f in self._failures[method] if f.matching is None or f.matching(params)), None)
        if failure is not None:
            self._failures[method].remove(failure)
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            return web.json_response({"ok": False, "error": failure.error}, status=failure.status, headers=headers)
        return web.json_response(self._answer(call))

    def _answer(self, call: Call) -> dict[str, Any]:
        p = call.params
        match call.method:
            case "auth.test":
                team = call.team or "T1"
                return {
                    "ok": True,
                    "team_id": team,
                    "team": team,
                    "user_id": BOT_USER,
                    "bot_id": "BCODEV",
                    "user": "codev",
                }
            case "chat.postMessage" if p.get("channel") in self.archived:
                return {"ok": False, "error": "is_archived"}
            case "chat.postMessage":
                ts = f"{1_700_000_000 + next(self._ts)}.000100"
                blocks = _blocks(p.get("blocks"))
                self.messages[(call.team, ts)] = Message(
                    p["channel"], ts, p.get("text", ""), blocks, p.get("thread_ts"), call.team, [blocks], call.at
                )
                return {"ok": True, "channel": p["channel"], "ts": ts, "message": {"text": p.get("text", "")}}
            case "chat.update":
                message = self.messages.get((call.team, p["ts"]))
                if message is None:
                    return {"ok": False, "error": "message_not_found"}
                message.blocks = _blocks(p.get("blocks"))
                message.history.append(message.blocks)
                return {"ok": True, "channel": p["channel"], "ts": p["ts"]}
            case "chat.postEphemeral":
                return {"ok": True, "message_ts": f"{1_700_000_000 + next(self._ts)}.000200"}
            case "views.open" | "views.publish" | "views.update":
                return {"ok": True, "view": {"id": f"V{next(self._views)}", **_view(p.get("view"))}}
            case "conversations.open":
                return {"ok": True, "channel": {"id": f"D{p.get('users')}"}}
            case "conversations.info":
                channel = p.get("channel", "")
                if channel in self.not_member and channel.startswith("G"):
                    return {"ok": False, "error": "channel_not_found"}
                member = channel not in self.not_member
                return {
                    "ok": True,
                    "channel": {"id": channel, "is_member": member, "is_private": channel.startswith("G")},
                }
            case "conversations.join":
                self.not_member.discard(p.get("channel", ""))
                return {"ok": True, "channel": {"id": p.get("channel")}}
            case "oauth.v2.access":
                team = str(p.get("code", "")).removeprefix("code-") or "T1"
                return {
                    "ok": True,
                    "app_id": "ACODEV",
                    "authed_user": {"id": "UINSTALLER"},
                    "scope": "commands,chat:write",
                    "token_type": "bot",
                    "access_token": f"xoxb-{team}",
                    "bot_user_id": BOT_USER,
                    "team": {"id": team, "name": f"Team {team}"},
                    "enterprise": None,
                    "is_enterprise_install": False,
                }
            case "apps.connections.open":
                return {"ok": True, "url": self.socket_url}
            case "files.getUploadURLExternal":
                file_id = f"F{next(self._ts)}"
                return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
            case "files.completeUploadExternal":
                files = json.loads(p.get("files", "[]")) if isinstance(p.get("files"), str) else p.get("files", [])
                return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}
            case "users.info":
                user = str(p.get("user", ""))
                return {"ok": True, "user": self.profiles.get(user, {"id": user, "name": user.lower()})}
            case _:
                return {"ok": True}

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: `hello`, then the queued envelopes; whatever comes back is an ack."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "ACODEV"}})
        for envelope in self.envelopes:
            await ws.send_json(envelope)
        async for message in ws:
            if message.type == web.WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
                self.acked.set()
        return ws

    async def _response_url(self, request: web.Request) -> web.Response:
        answer = await request.json()
        self.responses.append(answer)
        self.answers[request.match_info["key"]] = answer
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file"]] = await request.read()
        return web.Response(text="OK - uploaded")


def posts_a_card(params: dict[str, Any]) -> bool:
    """Whether a chat.postMessage call posts a case card (its first block a header)."""
    blocks = _blocks(params.get("blocks"))
    return bool(blocks) and blocks[0].get("type") == "header"


def _blocks(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str):
        value = json.loads(value)
    return list(value or [])


def _view(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value)
    return dict(value or {})
