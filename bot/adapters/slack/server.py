"""HTTP mode: `POST /slack/events` (events, commands, interactivity), `GET /healthz`, and the
OAuth install pages when many workspaces install the app. An aiohttp server; Bolt verifies
every request's signature and age before any listener runs."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

EVENTS_PATH = "/slack/events"


Receiving = Callable[[], AbstractContextManager[None]]


def web_application(app: AsyncApp | None, receiving: Receiving = nullcontext) -> web.Application:
    """Routes for `app` (None: only /healthz, as in Socket Mode). Each Slack request is
    received inside `receiving()`, so the inbox applies events between acknowledgements."""
    web_app = web.Application()
    web_app.router.add_get("/healthz", _healthz)
    if app is None:
        return web_app

    async def events(request: web.Request) -> web.Response:
        with receiving():
            bolt_response = await app.async_dispatch(await to_bolt_request(request))
            return await to_aiohttp_response(bolt_response)

    web_app.router.add_post(EVENTS_PATH, events)
    flow = app.oauth_flow
    if flow is not None:

        async def install(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))

        async def redirect(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

        web_app.router.add_get(flow.install_path, install)
        web_app.router.add_get(flow.redirect_uri_path, redirect)
    return web_app


async def _healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


class HttpServer:
    """An aiohttp site on `host:port` (port 0 picks a free one, see `port`)."""

    def __init__(self, web_app: web.Application, host: str, port: int) -> None:
        self._runner = web.AppRunner(web_app, access_log=None)
        self._host = host
        self._port = port
        self.port = port

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        addresses = self._runner.addresses  # the bound sockets: port 0 becomes a real port
        if addresses:
            self.port = int(addresses[0][1])

    async def stop(self) -> None:
        await self._runner.cleanup()
