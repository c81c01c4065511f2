"""Settings: defaults, .env support, URL normalisation, and one clear line per bad value."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import (
    ConfigError,
    DiscordSettings,
    SlackSettings,
    env_var_names,
    load_settings,
    normalise_database_url,
)

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No setting leaks in from the caller's environment or working directory."""
    for name in env_var_names():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_env_file(directory: Path, text: str) -> str:
    path = directory / ".env"
    path.write_text(text, encoding="utf-8")
    return str(path)


def config_error_for(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> str:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings(None)
    return str(raised.value)


def test_defaults_give_a_sqlite_file_in_the_working_directory() -> None:
    assert load_settings(None).database.url == "sqlite+aiosqlite:///codev.db"


def test_defaults_listen_on_port_3000_on_every_interface() -> None:
    server = load_settings(None).server
    assert (server.host, server.port) == ("0.0.0.0", 3000)


def test_defaults_for_behaviour_are_english_utc_five_seconds_and_info_logs() -> None:
    behaviour = load_settings(None).behaviour
    assert behaviour.default_language == "en"
    assert behaviour.default_timezone == "UTC"
    assert behaviour.dispatch_interval_seconds == 5
    assert behaviour.log_level == "INFO"


def test_defaults_point_at_the_real_slack_and_discord_services() -> None:
    settings = load_settings(None)
    assert settings.slack.api_url == "https://slack.com/api/"
    assert settings.discord.api_url == "https://discord.com/api/v10"
    assert settings.discord.gateway_url == "wss://gateway.discord.gg/"
    assert settings.discord.shards is None


def test_no_chat_platform_is_configured_by_default() -> None:
    settings = load_settings(None)
    assert not settings.slack.configured
    assert not settings.discord.configured


def test_settings_are_read_from_a_dotenv_file(isolated_environment: Path) -> None:
    env_file = write_env_file(
        isolated_environment,
        "CODEV_HTTP_PORT=8080\nCODEV_DEFAULT_LANGUAGE=fr\nDISCORD_TOKEN=abc\n",
    )
    settings = load_settings(env_file)
    assert settings.server.port == 8080
    assert settings.behaviour.default_language == "fr"
    assert settings.discord.configured


def test_the_dotenv_file_in_the_working_directory_is_read_by_default(
    isolated_environment: Path,
) -> None:
    write_env_file(isolated_environment, "CODEV_DEFAULT_TIMEZONE=Europe/Paris\n")
    assert load_settings().behaviour.default_timezone == "Europe/Paris"


def test_environment_variables_win_over_the_dotenv_file(
    isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = write_env_file(isolated_environment, "CODEV_HTTP_PORT=8080\n")
    monkeypatch.setenv("CODEV_HTTP_PORT", "9090")
    assert load_settings(env_file).server.port == 9090


def test_a_missing_dotenv_file_is_not_an_error(isolated_environment: Path) -> None:
    assert load_settings(str(isolated_environment / "absent.env")).server.port == 3000


def test_empty_values_in_the_dotenv_file_count_as_unset(isolated_environment: Path) -> None:
    env_file = write_env_file(isolated_environment, "SLACK_BOT_TOKEN=\nCODEV_DISCORD_SHARDS=\nDATABASE_URL=\n")
    settings = load_settings(env_file)
    assert settings.slack.bot_token is None
    assert settings.discord.shards is None
    assert settings.database.url == "sqlite+aiosqlite:///codev.db"


def test_variables_of_other_programs_in_the_dotenv_file_are_ignored(
    isolated_environment: Path,
) -> None:
    env_file = write_env_file(isolated_environment, "EDITOR=vim\nCODEV_SOMETHING_ELSE=1\n")
    assert load_settings(env_file).server.port == 3000


def test_a_settings_class_reads_the_dotenv_file_on_its_own(isolated_environment: Path) -> None:
    write_env_file(isolated_environment, "DISCORD_TOKEN=from-dotenv\n")
    token = DiscordSettings().token
    assert token is not None
    assert token.get_secret_value() == "from-dotenv"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///codev.db", "sqlite+aiosqlite:///codev.db"),
        ("sqlite:////var/lib/codev/codev.db", "sqlite+aiosqlite:////var/lib/codev/codev.db"),
        ("sqlite+aiosqlite:///:memory:", "sqlite+aiosqlite:///:memory:"),
        ("postgresql://u:pw@db:5432/codev", "postgresql+asyncpg://u:pw@db:5432/codev"),
        ("postgres://u@db/codev", "postgresql+asyncpg://u@db/codev"),
        ("postgresql+asyncpg://u@db/codev", "postgresql+asyncpg://u@db/codev"),
    ],
)
def test_database_urls_are_normalised_to_async_drivers(
    monkeypatch: pytest.MonkeyPatch, given: str, expected: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    assert load_settings(None).database.url == expected


def test_the_normalising_function_is_usable_on_its_own() -> None:
    assert normalise_database_url("postgres://h/db") == "postgresql+asyncpg://h/db"


def test_the_database_dialect_is_named_after_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://h/db")
    assert load_settings(None).database.dialect == "postgresql"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "postgresql+psycopg://u@h/db", "codev.db"])
def test_an_unsupported_database_url_names_database_url_and_the_accepted_schemes(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    message = config_error_for(monkeypatch, "DATABASE_URL", url)
    assert message.startswith("DATABASE_URL must be a URL starting with sqlite://")
    assert "postgresql://" in message
    assert "\n" not in message


def test_a_database_password_never_appears_in_a_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = config_error_for(monkeypatch, "DATABASE_URL", "mysql://codev:hunter2@db/codev")
    assert "hunter2" not in message


def test_the_database_password_is_masked_when_settings_are_printed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://codev:hunter2@db/codev")
    settings = load_settings(None)
    assert "hunter2" not in repr(settings)
    assert settings.database.redacted_url == "postgresql+asyncpg://codev:***@db/codev"


def test_a_bad_timezone_gives_one_line_naming_the_variable_and_examples(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = config_error_for(monkeypatch, "CODEV_DEFAULT_TIMEZONE", "Mars/Olympus")
    assert message == (
        "CODEV_DEFAULT_TIMEZONE must be an IANA time zone name such as UTC, Europe/Paris "
        "or America/Montreal (got 'Mars/Olympus')"
    )


def test_a_valid_timezone_is_kept_and_offered_as_a_zoneinfo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CODEV_DEFAULT_TIMEZONE", "America/Montreal")
    assert load_settings(None).behaviour.timezone == ZoneInfo("America/Montreal")


def test_a_bad_language_gives_one_line_naming_the_variable_and_choices(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = config_error_for(monkeypatch, "CODEV_DEFAULT_LANGUAGE", "de")
    assert message == "CODEV_DEFAULT_LANGUAGE must be en or fr (got 'de')"


def test_the_language_is_accepted_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEV_DEFAULT_LANGUAGE", "FR")
    assert load_settings(None).behaviour.default_language == "fr"


@pytest.mark.parametrize("port", ["abc", "70000", "-1", "80.5"])
def test_a_bad_port_gives_one_line_naming_the_variable_and_the_range(
    monkeypatch: pytest.MonkeyPatch, port: str
) -> None:
    message = config_error_for(monkeypatch, "CODEV_HTTP_PORT", port)
    assert message.startswith("CODEV_HTTP_PORT must be a whole number from 0 to 65535")
    assert f"(got '{port}')" in message
    assert "\n" not in message


def test_a_bad_value_in_the_dotenv_file_is_reported_like_one_from_the_environment(
    isolated_environment: Path,
) -> None:
    env_file = write_env_file(isolated_environment, "CODEV_HTTP_PORT=http\n")
    with pytest.raises(ConfigError, match=r"^CODEV_HTTP_PORT must be a whole number"):
        load_settings(env_file)


def test_every_invalid_variable_is_reported_together_on_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CODEV_HTTP_PORT", "abc")
    monkeypatch.setenv("CODEV_LOG_LEVEL", "loud")
    with pytest.raises(ConfigError) as raised:
        load_settings(None)
    message = str(raised.value)
    assert "CODEV_HTTP_PORT" in message
    assert "CODEV_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL" in message
    assert "\n" not in message


def test_the_log_level_is_accepted_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEV_LOG_LEVEL", "debug")
    assert load_settings(None).behaviour.log_level == "DEBUG"


def test_the_dispatch_interval_must_be_positive(monkeypatch: pytest.MonkeyPatch) -> None:
    message = config_error_for(monkeypatch, "CODEV_DISPATCH_INTERVAL_SECONDS", "0")
    assert message.startswith("CODEV_DISPATCH_INTERVAL_SECONDS must be a number of seconds")


def test_the_dispatch_interval_accepts_fractions_of_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CODEV_DISPATCH_INTERVAL_SECONDS", "0.5")
    assert load_settings(None).behaviour.dispatch_interval_seconds == 0.5


def test_discord_shards_come_from_codev_discord_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEV_DISCORD_SHARDS", "4")
    assert load_settings(None).discord.shards == 4


def test_zero_discord_shards_is_rejected_by_its_variable_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = config_error_for(monkeypatch, "CODEV_DISCORD_SHARDS", "0")
    assert message.startswith("CODEV_DISCORD_SHARDS must be a whole number of shards")


def test_a_discord_gateway_url_must_be_a_websocket_url(monkeypatch: pytest.MonkeyPatch) -> None:
    message = config_error_for(monkeypatch, "DISCORD_GATEWAY_URL", "https://gateway.discord.gg")
    assert message.startswith("DISCORD_GATEWAY_URL must be a ws(s) URL")


def test_the_slack_api_url_always_ends_with_a_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:8888/api")
    assert load_settings(None).slack.api_url == "http://127.0.0.1:8888/api/"


def slack_with(monkeypatch: pytest.MonkeyPatch, **variables: str) -> SlackSettings:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return load_settings(None).slack


def test_slack_with_a_bot_token_and_an_app_token_is_configured_for_socket_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slack = slack_with(monkeypatch, SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1")
    assert slack.configured
    assert slack.socket_mode


def test_slack_with_a_bot_token_and_a_signing_secret_is_configured_for_http(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slack = slack_with(monkeypatch, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s")
    assert slack.configured
    assert not slack.socket_mode


def test_slack_with_oauth_credentials_is_configured_without_a_bot_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slack = slack_with(monkeypatch, SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="c", SLACK_SIGNING_SECRET="s")
    assert slack.configured
    assert slack.oauth


def test_slack_with_only_a_bot_token_is_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not slack_with(monkeypatch, SLACK_BOT_TOKEN="xoxb-1").configured


def test_secrets_are_hidden_when_settings_are_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    monkeypatch.setenv("DISCORD_TOKEN", "discord-very-secret")
    printed = repr(load_settings(None))
    assert "very-secret" not in printed


def test_every_setting_is_documented_in_env_example() -> None:
    example = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    documented = {
        line.split("=", 1)[0].strip()
        for line in example.splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }
    assert set(env_var_names()) <= documented


def test_env_example_loads_without_errors() -> None:
    assert load_settings(str(REPO_ROOT / ".env.example")).database.dialect == "sqlite"
