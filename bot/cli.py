"""The `codev` command line.

Each subcommand imports what it runs only when it runs, so `codev --help` works without the
Slack or Discord SDKs. Expected failures (bad configuration, a database that cannot be
reached, Ctrl-C) end with one `codev: …` line on stderr and a non-zero exit code, never a
traceback; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import sys
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings

__all__ = ["EXIT_CONFIG", "EXIT_FAILURE", "EXIT_INTERRUPTED", "describe_failure", "main"]

EXIT_FAILURE = 1
EXIT_CONFIG = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it

DEFAULT_ENV_FILE = ".env"
_MAX_LINE = 300

# Missing optional modules and the extra that provides them.
_EXTRAS = {
    "asyncpg": "postgres",
    "slack_bolt": "slack",
    "slack_sdk": "slack",
    "aiohttp": "slack",
    "discord": "discord",
}

Handler = Callable[[argparse.Namespace], int]


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _MAX_LINE else line[: _MAX_LINE - 3] + "..."


def _reason(exc: BaseException) -> str:
    return _one_line(str(exc)) or type(exc).__name__


def _from_module(exc: BaseException, package: str) -> bool:
    return any(kind.__module__.split(".")[0] == package for kind in type(exc).__mro__)


def _database_failure(exc: BaseException) -> str | None:
    """The driver's own words when `exc` says the database is unusable, else None."""
    if _from_module(exc, "asyncpg"):
        return _reason(exc)
    if not _from_module(exc, "sqlalchemy"):
        return None
    from sqlalchemy import exc as sa_exc

    # Connection-level failures only; a ProgrammingError or IntegrityError is a bug.
    unusable = isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError)
    if unusable or type(exc) is sa_exc.DBAPIError:
        original = exc.orig if isinstance(exc, sa_exc.DBAPIError) else None
        return _reason(original) if original is not None else _reason(exc)
    return None


def describe_failure(exc: BaseException, *, database_url: str | None = None) -> tuple[int, str] | None:
    """Map an expected failure to (exit code, one line for stderr); None for a bug.

    `database_url` (already redacted) is named in the line when the command's only outside
    resource is the database, so a refused connection can be blamed on it.
    """
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "interrupted"
    if isinstance(exc, ConfigError):
        return EXIT_CONFIG, f"configuration error: {_one_line(exc.message)}"
    if _from_module(exc, "sqlalchemy"):
        from sqlalchemy.exc import ArgumentError

        if isinstance(exc, ArgumentError):
            return EXIT_CONFIG, f"configuration error: DATABASE_URL is not usable: {_reason(exc)}"
    where = f" at {database_url}" if database_url else ""
    database_reason = _database_failure(exc)
    if database_reason is not None:
        return EXIT_FAILURE, f"cannot use the database{where}: {database_reason}"
    if _from_module(exc, "alembic"):
        from alembic.util import CommandError

        if isinstance(exc, CommandError):
            return EXIT_FAILURE, f"migration failed: {_reason(exc)}"
    if isinstance(exc, ModuleNotFoundError) and exc.name in _EXTRAS:
        extra = _EXTRAS[exc.name]
        return (
            EXIT_FAILURE,
            f"the {exc.name} package is missing; install it with: pip install 'codev[{extra}]'",
        )
    if isinstance(exc, BrokenPipeError):
        return EXIT_FAILURE, "output closed before everything was written"
    if isinstance(exc, OSError):
        if exc.errno in (errno.EADDRINUSE, errno.EADDRNOTAVAIL):
            return EXIT_FAILURE, f"cannot listen: {_reason(exc)}"
        if database_url:
            return EXIT_FAILURE, f"cannot reach the database{where}: {_reason(exc)}"
        return EXIT_FAILURE, f"system error: {_reason(exc)}"
    return None


def _settings(args: argparse.Namespace) -> Settings:
    env_file: str | None = args.env_file
    if env_file is None:
        return load_settings(DEFAULT_ENV_FILE)
    if not Path(env_file).is_file():
        raise ConfigError(f"--env-file {env_file!r} is not a readable file")
    return load_settings(env_file)


def _configure_logging(settings: Settings, *, at_least: int = logging.NOTSET, verbose: Sequence[str] = ()) -> None:
    """Log Codev (and the `verbose` loggers) at CODEV_LOG_LEVEL; libraries only from WARNING up.

    DEBUG opens every logger, for troubleshooting. Logging that is already set up (by an
    embedding program, or pytest) is left alone.
    """
    if logging.getLogger().handlers:
        return
    level = max(logging.getLevelNamesMapping()[settings.behaviour.log_level], at_least)
    libraries = level if level <= logging.DEBUG else max(level, logging.WARNING)
    logging.basicConfig(level=libraries, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for name in ("bot", *verbose):
        logging.getLogger(name).setLevel(level)


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _configure_logging(settings)
    from bot.bootstrap import run

    return asyncio.run(run(settings))


def _console(args: argparse.Namespace) -> int:
    settings = _settings(args)
    args.database_url = settings.database.redacted_url
    _configure_logging(settings, at_least=logging.WARNING)  # the terminal is the chat
    from bot.adapters.console import run_console

    return asyncio.run(run_console(settings))


def _demo(args: argparse.Namespace) -> int:
    settings = _settings(args)
    args.database_url = settings.database.redacted_url
    _configure_logging(settings, at_least=logging.WARNING)  # stdout carries the transcript
    from bot.demo import run_demo

    return asyncio.run(run_demo(settings))


def _db_upgrade(args: argparse.Namespace) -> int:
    settings = _settings(args)
    args.database_url = settings.database.redacted_url
    _configure_logging(settings, verbose=["alembic.runtime.migration"])
    from bot.storage.migrate import upgrade

    asyncio.run(upgrade(settings.database.url))
    print(f"codev: database at {settings.database.redacted_url} is up to date")
    return 0


def _slack_manifest(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from bot.adapters.slack.manifest import manifest, to_yaml

    socket_mode = args.socket_mode or settings.slack.app_token is not None
    if not socket_mode and not args.url:
        raise ConfigError("slack-manifest: give the bot's public URL with --url (HTTP mode), or use --socket-mode")
    data = manifest(name=args.name, socket_mode=socket_mode, url=args.url, oauth=settings.slack.client_id is not None)
    sys.stdout.write(to_yaml(data))
    return 0


def _discord_sync(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _configure_logging(settings)
    from bot.adapters.discord import run_sync

    return asyncio.run(run_sync(settings.discord, guild_id=args.guild))


def _version() -> str:
    try:
        return metadata.version("codev")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codev",
        description="Codev hosts asynchronous co-development circles in Slack and Discord.",
        epilog="Settings come from the environment and a .env file; see .env.example.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument(
        "--env-file",
        metavar="PATH",
        help=f"read settings from this file instead of {DEFAULT_ENV_FILE} (environment variables still win)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, handler: Handler, summary: str, description: str) -> None:
        command = commands.add_parser(name, help=summary, description=description)
        command.set_defaults(handler=handler)

    add(
        "run",
        _run,
        "start the bot: every configured chat adapter plus the scheduler",
        "Start the bot: apply database migrations, then start every chat adapter whose "
        "credentials are configured (Slack, Discord) and the scheduler that delivers "
        "messages and nudges. Stops on Ctrl-C.",
    )
    add(
        "console",
        _console,
        "chat with the bot in this terminal, no chat service needed",
        "Open a terminal chat with the bot, playing one or more members of a circle, to try "
        "Codev without Slack or Discord.",
    )
    add(
        "demo",
        _demo,
        "play a whole consultation on the console and print it",
        "Play a whole consultation (exposé to action plan) between simulated members on the "
        "console adapter and print the transcript.",
    )

    database = commands.add_parser(
        "db",
        help="manage the database schema",
        description="Manage the database named by DATABASE_URL.",
    )
    database_commands = database.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    upgrade = database_commands.add_parser(
        "upgrade",
        help="apply every pending migration",
        description="Apply every pending database migration to DATABASE_URL "
        "(creating the schema on a new database). `codev run` does this too.",
    )
    upgrade.set_defaults(handler=_db_upgrade)

    slack_manifest = commands.add_parser(
        "slack-manifest",
        help="print the Slack app manifest (YAML) for these settings",
        description="Print a Slack app manifest: the /codev command, scopes, events, interactivity, and "
        "Socket Mode (when SLACK_APP_TOKEN is set or --socket-mode is given) or request URLs under --url. "
        "Paste it into api.slack.com/apps, Create New App, From an app manifest.",
    )
    slack_manifest.add_argument("--url", help="the bot's public base URL, e.g. https://codev.example.com")
    slack_manifest.add_argument("--socket-mode", action="store_true", help="a Socket Mode app (no public URL)")
    slack_manifest.add_argument("--name", default="Codev", help="the app's name in Slack (default: Codev)")
    slack_manifest.set_defaults(handler=_slack_manifest)

    discord_sync = commands.add_parser(
        "discord-sync",
        help="register /codev in the Discord servers the bot is in",
        description="Register (or update) the /codev slash commands in every Discord server the bot is in, "
        "or in one with --guild. Run it after installing or upgrading Codev; `codev run` does not, as "
        "Discord limits how often commands may be registered. Needs DISCORD_TOKEN.",
    )
    discord_sync.add_argument("--guild", type=int, help="only this server (its id)")
    discord_sync.set_defaults(handler=_discord_sync)
    return parser


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    return code if isinstance(code, int) else EXIT_FAILURE


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `codev` command; return the process exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return _exit_code(exc.code)
    args.database_url = None
    handler: Handler = args.handler
    try:
        return handler(args)
    except (Exception, KeyboardInterrupt) as exc:
        failure = describe_failure(exc, database_url=args.database_url)
        if failure is None:
            raise
        code, line = failure
        print(f"codev: {line}", file=sys.stderr)
        return code
