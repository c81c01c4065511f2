"""Settings, read from the environment and a `.env` file; one class per concern.

Nothing here is built at import time: call `load_settings()` from the entry point and pass
the result down. Every invalid value becomes one `ConfigError` whose message is a single line
naming the variable and what it accepts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

__all__ = [
    "DEFAULT_DATABASE_URL",
    "BehaviourSettings",
    "ConfigError",
    "DatabaseSettings",
    "DiscordSettings",
    "ServerSettings",
    "Settings",
    "SlackSettings",
    "env_var_names",
    "load_settings",
    "normalise_database_url",
]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///codev.db"

# Accepted URL schemes and the async driver each one is served by.
_DATABASE_SCHEMES = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
_DATABASE_ACCEPTS = (
    "a URL starting with sqlite:// (e.g. sqlite:///codev.db) or postgresql:// "
    "(e.g. postgresql://user:password@host:5432/codev); postgres://, sqlite+aiosqlite:// "
    "and postgresql+asyncpg:// are accepted too"
)
_PASSWORD_IN_URL = re.compile(r"^(?P<head>[^:/?#]+://[^:/@?#]*):[^@/?#]*@")


class ConfigError(Exception):
    """The configuration is invalid; the message is one line a person can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _setting(default: Any, accepts: str, **constraints: Any) -> Any:
    """A field whose `accepts` text is what a ConfigError tells the person to use."""
    return Field(default, json_schema_extra={"accepts": accepts}, **constraints)


class _EnvSettings(BaseSettings):
    """Common behaviour: read `.env`, ignore what belongs to other concerns, empty = unset."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
        validate_by_name=True,
        validate_by_alias=True,
    )


def normalise_database_url(url: str) -> str:
    """Map a sqlite:// or postgresql:// URL to the async driver; reject any other scheme."""
    scheme, separator, rest = url.strip().partition("://")
    if not separator:
        raise ValueError("not a URL")
    driver = _DATABASE_SCHEMES.get(scheme.lower())
    if driver is None:
        raise ValueError(f"unsupported scheme {scheme!r}")
    return f"{driver}://{rest}"


def _redact_url(url: str) -> str:
    return _PASSWORD_IN_URL.sub(r"\g<head>:***@", url)


class DatabaseSettings(_EnvSettings, env_prefix="DATABASE_"):
    """Where state lives: `DATABASE_URL`, normalised to an async SQLAlchemy driver."""

    url: str = _setting(DEFAULT_DATABASE_URL, _DATABASE_ACCEPTS)

    @field_validator("url", mode="before")
    @classmethod
    def _normalise(cls, value: object) -> object:
        return normalise_database_url(value) if isinstance(value, str) else value

    @property
    def dialect(self) -> Literal["sqlite", "postgresql"]:
        return "sqlite" if self.url.startswith("sqlite") else "postgresql"

    @property
    def redacted_url(self) -> str:
        """The URL with its password masked, fit for logs and error messages."""
        return _redact_url(self.url)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        yield "url", self.redacted_url


def _http_url(value: object, *, trailing_slash: bool) -> object:
    if not isinstance(value, str):
        return value
    url = value.strip()
    if not url.startswith(("http://", "https://")):
        raise ValueError("not an http(s) URL")
    url = url.rstrip("/")
    return f"{url}/" if trailing_slash else url


class SlackSettings(_EnvSettings, env_prefix="SLACK_"):
    """Slack credentials. HTTP mode needs the signing secret; Socket Mode the app token."""

    bot_token: SecretStr | None = _setting(None, "a bot token (xoxb-…)")
    signing_secret: SecretStr | None = _setting(None, "the app's signing secret")
    app_token: SecretStr | None = _setting(None, "an app-level token (xapp-…) for Socket Mode")
    api_url: str = _setting("https://slack.com/api/", "an http(s) URL such as https://slack.com/api/")
    client_id: str | None = _setting(None, "the app's OAuth client id")
    client_secret: SecretStr | None = _setting(None, "the app's OAuth client secret")

    @field_validator("api_url", mode="before")
    @classmethod
    def _check_api_url(cls, value: object) -> object:
        return _http_url(value, trailing_slash=True)

    @property
    def socket_mode(self) -> bool:
        """Connect over Socket Mode (no public URL needed) rather than HTTP events."""
        return self.bot_token is not None and self.app_token is not None

    @property
    def oauth(self) -> bool:
        """Install in many workspaces through OAuth; tokens then come from storage."""
        return self.client_id is not None and self.client_secret is not None and self.signing_secret is not None

    @property
    def configured(self) -> bool:
        """Enough credentials to start the Slack adapter in one of its modes."""
        http_mode = self.bot_token is not None and self.signing_secret is not None
        return self.socket_mode or http_mode or self.oauth


class DiscordSettings(_EnvSettings, env_prefix="DISCORD_"):
    """Discord credentials and endpoints (the endpoints change only for tests)."""

    token: SecretStr | None = _setting(None, "a bot token from the Discord developer portal")
    api_url: str = _setting("https://discord.com/api/v10", "an http(s) URL such as https://discord.com/api/v10")
    gateway_url: str = _setting("wss://gateway.discord.gg/", "a ws(s) URL such as wss://gateway.discord.gg/")
    shards: Annotated[int, Field(ge=1)] | Literal["auto"] | None = _setting(
        None,
        "a whole number of shards, 1 or more, or auto (empty for one connection)",
        validation_alias="CODEV_DISCORD_SHARDS",
    )

    @field_validator("api_url", mode="before")
    @classmethod
    def _check_api_url(cls, value: object) -> object:
        return _http_url(value, trailing_slash=False)

    @field_validator("gateway_url", mode="before")
    @classmethod
    def _check_gateway_url(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().startswith(("ws://", "wss://")):
            raise ValueError("not a ws(s) URL")
        return value.strip() if isinstance(value, str) else value

    @property
    def configured(self) -> bool:
        return self.token is not None


class ServerSettings(_EnvSettings, env_prefix="CODEV_HTTP_"):
    """The HTTP server: Slack events in HTTP mode, /healthz and /metrics."""

    port: int = _setting(3000, "a whole number from 0 to 65535 (0 picks a free port)", ge=0, le=65535)
    host: str = _setting("0.0.0.0", "an interface address such as 0.0.0.0 or 127.0.0.1", min_length=1)


Language = Literal["en", "fr"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class BehaviourSettings(_EnvSettings, env_prefix="CODEV_"):
    """Defaults for new circles and the bot's own pace."""

    default_language: Language = _setting("en", "en or fr")
    default_timezone: str = _setting("UTC", "an IANA time zone name such as UTC, Europe/Paris or America/Montreal")
    dispatch_interval_seconds: float = _setting(5.0, "a number of seconds greater than 0, e.g. 5 or 0.5", gt=0)
    log_level: LogLevel = _setting("INFO", "DEBUG, INFO, WARNING, ERROR or CRITICAL")
    # Where events acknowledged to Slack or Discord wait until applied; unset: beside the
    # SQLite file, or ./codev-inbox with PostgreSQL (see `inbox_folder`).
    inbox_dir: Path | None = _setting(None, "a folder the bot may create and write, e.g. /var/lib/codev/inbox")

    @field_validator("default_language", mode="before")
    @classmethod
    def _lowercase_language(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _uppercase_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("default_timezone", mode="before")
    @classmethod
    def _known_timezone(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        name = value.strip()
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown time zone") from exc
        return name

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.default_timezone)


_S = TypeVar("_S", bound=_EnvSettings)
_SETTINGS_CLASSES: tuple[type[_EnvSettings], ...] = (
    DatabaseSettings,
    SlackSettings,
    DiscordSettings,
    ServerSettings,
    BehaviourSettings,
)
_URLS_WITH_CREDENTIALS = {"DATABASE_URL"}


@dataclass(frozen=True, slots=True)
class Settings:
    """Every concern's settings, built once by `load_settings` and passed down."""

    database: DatabaseSettings
    slack: SlackSettings
    discord: DiscordSettings
    server: ServerSettings
    behaviour: BehaviourSettings


def _env_var_name(cls: type[_EnvSettings], field_name: str) -> str:
    alias = cls.model_fields[field_name].validation_alias
    if isinstance(alias, str):
        return alias.upper()
    prefix = cls.model_config.get("env_prefix", "")
    return f"{prefix}{field_name}".upper()


def env_var_names() -> list[str]:
    """Every environment variable the settings read, in declaration order."""
    return [_env_var_name(cls, name) for cls in _SETTINGS_CLASSES for name in cls.model_fields]


def _accepts(cls: type[_EnvSettings], field_name: str) -> str | None:
    extra = cls.model_fields[field_name].json_schema_extra
    if isinstance(extra, dict):
        accepts = extra.get("accepts")
        if isinstance(accepts, str):
            return accepts
    return None


def _field_for(cls: type[_EnvSettings], loc: tuple[int | str, ...]) -> str | None:
    if not loc:
        return None
    key = str(loc[0]).lower()
    for name, info in cls.model_fields.items():
        alias = info.validation_alias
        if key == name or (isinstance(alias, str) and key == alias.lower()):
            return name
    return None


def _is_secret(cls: type[_EnvSettings], field_name: str) -> bool:
    annotation = cls.model_fields[field_name].annotation
    return annotation is SecretStr or SecretStr in get_args(annotation)


def _shown(env_name: str, cls: type[_EnvSettings], field_name: str, value: object) -> str:
    if _is_secret(cls, field_name):
        return "a hidden value"
    text = " ".join(str(value).split())
    if env_name in _URLS_WITH_CREDENTIALS:
        text = _redact_url(text)
    if len(text) > 60:
        text = text[:57] + "..."
    return repr(text)


def _describe(cls: type[_EnvSettings], error: ValidationError) -> list[str]:
    problems = []
    for detail in error.errors(include_url=False):
        field_name = _field_for(cls, tuple(detail["loc"]))
        if field_name is None:
            problems.append(" ".join(detail["msg"].split()))
            continue
        env_name = _env_var_name(cls, field_name)
        accepts = _accepts(cls, field_name) or detail["msg"]
        got = _shown(env_name, cls, field_name, detail.get("input"))
        problems.append(f"{env_name} must be {accepts} (got {got})")
    return problems


def _build(cls: type[_S], env_file: str | None, problems: list[str]) -> _S | None:
    # `_env_file` is BaseSettings' own init argument; mypy only sees the field-based init.
    options: dict[str, Any] = {"_env_file": env_file}
    try:
        return cls(**options)
    except ValidationError as exc:
        problems.extend(_describe(cls, exc))
    except SettingsError as exc:
        problems.append(" ".join(str(exc).split()))
    return None


def _check_readable(env_file: Path) -> None:
    """A settings file that exists but cannot be read is an error, not an empty file."""
    if not env_file.is_file():
        return
    try:
        env_file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the settings file {str(env_file)!r}: {exc.strerror or exc}") from exc


def load_settings(env_file: str | None = ".env") -> Settings:
    """Read every concern from the environment, then `env_file` (a missing file is ignored).

    The environment wins over the file; `env_file=None` reads the environment only.
    Raises `ConfigError` listing every invalid variable on one line.
    """
    if env_file is not None:
        _check_readable(Path(env_file))
    problems: list[str] = []
    database = _build(DatabaseSettings, env_file, problems)
    slack = _build(SlackSettings, env_file, problems)
    discord = _build(DiscordSettings, env_file, problems)
    server = _build(ServerSettings, env_file, problems)
    behaviour = _build(BehaviourSettings, env_file, problems)
    if problems or database is None or slack is None or discord is None or server is None or behaviour is None:
        raise ConfigError("; ".join(problems) or "invalid configuration")
    return Settings(database=database, slack=slack, discord=discord, server=server, behaviour=behaviour)
