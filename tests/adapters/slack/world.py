"""The real Codev Slack app in HTTP mode on 127.0.0.1, driven like Slack drives it.

Requests are signed with the signing secret as Slack signs them
(`SignatureVerifier.generate_signature`), with payloads shaped like Slack's documented
ones: slash commands form-encoded, events as JSON envelopes, interactivity as a
`payload=` form field. Behind the app: the real service, storage and dispatcher, and a
`FakeSlack` Web API. People act with `command`, `reply`, `click` and `submit`; `deliver`
runs the dispatcher, as `codev run` does after every commit.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack.adapter import SlackAdapter, Tuning
from bot.bootstrap import App, build
from bot.config import BehaviourSettings, DatabaseSettings, DiscordSettings, ServerSettings, Settings, SlackSettings
from bot.incoming import Incoming, Outcome
from bot.ports import Handler
from tests.adapters.slack.fake_slack import BOT_USER, FakeSlack, Message
from tests.service.helpers import Clock, Ids

SECRET = "test-signing-secret"
APP_ID = "ACODEV"


def settings_for(database_url: str, api_url: str, inbox_dir: Path, **slack: Any) -> Settings:
    options: dict[str, Any] = {"_env_file": None}
    return Settings(
        database=DatabaseSettings(url=database_url, **options),
        slack=SlackSettings(
            **options,
            **{"signing_secret": SecretStr(SECRET), "api_url": api_url, "bot_token": SecretStr("xoxb-T1"), **slack},
        ),
        discord=DiscordSettings(**options),
        server=ServerSettings(**options, port=0, host="127.0.0.1"),
        behaviour=BehaviourSettings(**options, inbox_dir=inbox_dir),
    )


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: str
    answer: dict[str, Any] | None = None  # what a slash command's response_url received

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class HeldCore:
    """The real core, held until the test lets it go: a database under load, or a bot that
    dies before applying what it acknowledged."""

    def __init__(self, core: Handler) -> None:
        self._core = core
        self.release = asyncio.Event()

    async def handle(self, incoming: Incoming) -> Outcome:
        await self.release.wait()
        return await self._core.handle(incoming)


class SlackWorld:
    def __init__(
        self,
        fake: FakeSlack,
        app: App,
        adapter: SlackAdapter,
        http: aiohttp.ClientSession,
        folder: tempfile.TemporaryDirectory[str],
    ) -> None:
        self.fake = fake
        self.folder = folder
        self.app = app
        self.adapter = adapter
        self.http = http
        self._ids = itertools.count(1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.adapter.port}/slack/events"

    # --- raw requests ------------------------------------------------------------------

    async def send(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signed = signature or SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
        all_headers = {
            "content-type": content_type,
            "x-slack-request-timestamp": stamp,
            "x-slack-signature": signed,
            **(headers or {}),
        }
        async with self.http.post(self.url, data=body.encode(), headers=all_headers) as response:
            answer = Response(response.status, await response.text())
        await self.settle()
        return answer

    async def settle(self) -> None:
        """Wait until what Slack was told it got is applied, and its follow-ups sent."""
        await self.app.inbox.settle()
        await self.adapter.settle()

    async def post_form(self, fields: dict[str, str], **options: Any) -> Response:
        return await self.send(urlencode(fields), "application/x-www-form-urlencoded", **options)

    async def post_json(self, body: dict[str, Any], **options: Any) -> Response:
        return await self.send(json.dumps(body), "application/json", **options)

    async def interact(self, payload: dict[str, Any]) -> Response:
        response = await self.post_form({"payload": json.dumps(payload)})
        await self.adapter.settle()
        return response

    # --- people acting -----------------------------------------------------------------

    def command_body(self, user: str, text: str, *, channel: str = "C1", team: str = "T1") -> dict[str, str]:
        n = next(self._ids)
        return {
            "token": "legacy",
            "team_id": team,
            "team_domain": team.lower(),
            "channel_id": channel,
            "channel_name": "circle",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/codev",
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": f"{self.fake.url}/response/{n}",
            "trigger_id": f"trigger-{n}",
        }

    async def command(self, user: str, text: str, *, channel: str = "C1", team: str = "T1") -> Response:
        body = self.command_body(user, text, channel=channel, team=team)
        response = await self.post_form(body)
        return replace(response, answer=self.fake.answers.get(body["response_url"].rsplit("/", 1)[1]))

    def message_event(
        self,
        user: str,
        text: str,
        *,
        thread_ts: str | None,
        channel: str = "C1",
        team: str = "T1",
        event_id: str | None = None,
        **event: Any,
    ) -> dict[str, Any]:
        n = next(self._ids)
        body_event = {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": f"1800000000.{n:06d}",
            "team": team,
            "channel_type": "channel",
            **({"thread_ts": thread_ts} if thread_ts else {}),
            **event,
        }
        return {
            "token": "legacy",
            "team_id": team,
            "api_app_id": APP_ID,
            "event": body_event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{n:08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team, "user_id": "UCODEVBOT", "is_bot": True}],
        }

    async def reply(self, user: str, text: str, card: Message, **options: Any) -> Response:
        """`user` replies in the thread of `card`, a post of the bot's (Slack says so)."""
        options.setdefault("parent_user_id", BOT_USER)
        body = self.message_event(
            user, text, thread_ts=card.ts, channel=card.channel, team=card.team or "T1", **options
        )
        response = await self.post_json(body)
        await self.adapter.settle()
        return response

    async def click(
        self,
        user: str,
        action: str,
        message: Message,
        *,
        team: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
    ) -> Response:
        """Press the button `action` on `message` as it shows now (or as `blocks` showed it)."""
        shown = blocks if blocks is not None else message.blocks
        button = find_button(shown, action)
        team = team or message.team or "T1"
        n = next(self._ids)
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
            "api_app_id": APP_ID,
            "token": "legacy",
            "container": {
                "type": "message",
                "message_ts": message.ts,
                "channel_id": message.channel,
                "is_ephemeral": False,
            },
            "trigger_id": f"trigger-{n}",
            "team": {"id": team, "domain": team.lower()},
            "channel": {"id": message.channel, "name": "circle"},
            "message": {"type": "message", "ts": message.ts, "text": message.text, "blocks": shown},
            "response_url": f"{self.fake.url}/response/{n}",
            "actions": [{**button, "block_id": "b", "action_ts": f"{time.time():.6f}"}],
        }
        return await self.interact(payload)

    async def click_notice(
        self, user: str, action: str, blocks: list[dict[str, Any]], *, channel: str = "C1", team: str = "T1"
    ) -> Response:
        """Press a button of an ephemeral message (a command's answer)."""
        message = Message(channel, f"1900000000.{next(self._ids):06d}", "", blocks, None, team)
        return await self.click(user, action, message, team=team)

    def last_view(self) -> dict[str, Any]:
        return self.fake.called("views.open")[-1].params["view"]

    async def submit(
        self,
        user: str,
        values: dict[str, str],
        *,
        view: dict[str, Any] | None = None,
        team: str = "T1",
        view_id: str | None = None,
    ) -> Response:
        """Fill the last opened modal (or `view`) with `values` and submit it."""
        view = view or self.last_view()
        state: dict[str, Any] = {}
        for block in view["blocks"]:
            if block["type"] != "input":
                continue
            element = block["element"]
            name = block["block_id"]
            if element["type"] == "static_select":
                chosen = values.get(name)
                if chosen is None and "initial_option" in element:
                    chosen = element["initial_option"]["value"]
                option = next((o for o in element["options"] if o["value"] == chosen), None)
                state[name] = {"value": {"type": "static_select", "selected_option": option}}
            else:
                state[name] = {"value": {"type": "plain_text_input", "value": values.get(name)}}
        n = next(self._ids)
        payload = {
            "type": "view_submission",
            "team": {"id": team, "domain": team.lower()},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
            "api_app_id": APP_ID,
            "token": "legacy",
            "trigger_id": f"trigger-{n}",
            "view": {
                **view,
                "id": view_id or f"VS{n}",
                "team_id": team,
                "state": {"values": state},
                "hash": f"hash-{n}",
            },
            "response_urls": [],
        }
        return await self.interact(payload)

    async def deliver(self) -> int:
        """Run the dispatcher until nothing is due, as the running bot does after a commit."""
        handled = await self.app.dispatcher.run_once()
        await self.adapter.settle()
        return handled


def find_button(blocks: list[dict[str, Any]], action: str) -> dict[str, Any]:
    for block in blocks:
        for element in block.get("elements", ()):
            if element.get("type") == "button" and element["action_id"].startswith(f"codev:{action}:"):
                return dict(element)
    shown = [e["action_id"] for b in blocks for e in b.get("elements", ()) if e.get("type") == "button"]
    raise AssertionError(f"no {action!r} button; buttons shown: {shown}")


def section_texts(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(block["text"]["text"] for block in blocks if block.get("type") == "section" and "text" in block)


async def open_world(
    database_url: str,
    clock: Clock,
    *,
    tuning: Tuning | None = None,
    envelopes: list[dict[str, Any]] | None = None,
    **slack: Any,
) -> SlackWorld:
    fake = FakeSlack()
    fake.envelopes = envelopes or []
    api_url = await fake.start()
    folder = tempfile.TemporaryDirectory()
    settings = settings_for(database_url, api_url, Path(folder.name), **slack)
    adapter = SlackAdapter(settings, tuning=tuning or Tuning(pace_seconds=0.0, rate_limit_retries=1))
    app = await build(settings, clock=clock, deliverers={"slack": adapter}, worker_id="test", ids=Ids())
    await app.inbox.start()
    await adapter.start(app.inbox)
    http = aiohttp.ClientSession()
    return SlackWorld(fake, app, adapter, http, folder)


async def close_world(world: SlackWorld) -> None:
    await world.http.close()
    await world.adapter.stop()
    await world.app.close()
    await world.fake.stop()
    world.folder.cleanup()
