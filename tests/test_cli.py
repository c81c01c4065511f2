"""The `codev` command line: help texts, exit codes, and one `codev:` line per failure."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.exc import ArgumentError, OperationalError

from bot.cli import describe_failure, main
from bot.config import ConfigError, env_var_names

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run every command from an empty directory with no Codev variable set."""
    for name in env_var_names():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def stderr_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(
    ("command", "says"),
    [
        (["run"], "Start the bot"),
        (["console"], "terminal chat"),
        (["demo"], "whole consultation"),
        (["db"], "Manage the database"),
        (["db", "upgrade"], "Apply every pending database migration"),
    ],
)
def test_each_subcommand_has_help_that_says_what_it_does(
    capsys: pytest.CaptureFixture[str], command: list[str], says: str
) -> None:
    assert main([*command, "--help"]) == 0
    assert says in " ".join(capsys.readouterr().out.split())


def test_the_top_level_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    listed = capsys.readouterr().out
    for name in ("run", "console", "demo", "db"):
        assert f"\n    {name} " in listed


def test_no_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "required: COMMAND" in capsys.readouterr().err


def test_db_without_an_action_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db"]) == 2
    assert "required: DB_COMMAND" in capsys.readouterr().err


def test_an_unknown_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve"]) == 2
    assert "invalid choice: 'serve'" in capsys.readouterr().err


def test_version_names_the_program(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("codev ")


@pytest.mark.parametrize("command", [["run"], ["console"], ["demo"], ["db", "upgrade"]])
def test_an_invalid_setting_prints_one_codev_line_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    monkeypatch.setenv("CODEV_HTTP_PORT", "abc")
    assert main(command) == 2
    assert stderr_lines(capsys) == [
        "codev: configuration error: CODEV_HTTP_PORT must be a whole number from 0 to 65535 "
        "(0 picks a free port) (got 'abc')"
    ]


def test_an_invalid_setting_in_the_env_file_prints_one_codev_line_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env_file = tmp_path / "codev.env"
    env_file.write_text("CODEV_DEFAULT_TIMEZONE=Mars/Olympus\n", encoding="utf-8")
    assert main(["--env-file", str(env_file), "run"]) == 2
    (line,) = stderr_lines(capsys)
    assert line.startswith("codev: configuration error: CODEV_DEFAULT_TIMEZONE must be")


def test_an_env_file_given_explicitly_must_exist(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--env-file", "absent.env", "run"]) == 2
    assert stderr_lines(capsys) == ["codev: configuration error: --env-file 'absent.env' is not a readable file"]


def test_db_upgrade_against_an_unreachable_postgresql_prints_one_line_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/x")
    assert main(["db", "upgrade"]) == 1
    (line,) = stderr_lines(capsys)
    assert line.startswith("codev: ")
    assert "database" in line


def test_python_dash_m_bot_is_the_codev_command() -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "bot", "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert finished.returncode == 0
    assert finished.stdout.startswith("usage: codev ")


def test_the_cli_starts_without_chat_sdks_or_database_libraries() -> None:
    probe = (
        "import contextlib, io, sys\n"
        "from bot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['run', '--help'])\n"
        "heavy = {'slack_bolt', 'slack_sdk', 'discord', 'aiohttp', 'asyncpg', 'sqlalchemy'}\n"
        "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert finished.stdout.strip() == "[]"


def test_ctrl_c_is_reported_as_interrupted_with_exit_code_130() -> None:
    assert describe_failure(KeyboardInterrupt()) == (130, "interrupted")


def test_a_config_error_is_a_configuration_failure_with_exit_code_2() -> None:
    assert describe_failure(ConfigError("CODEV_HTTP_PORT must be a port")) == (
        2,
        "configuration error: CODEV_HTTP_PORT must be a port",
    )


def test_a_malformed_database_url_is_a_configuration_failure_with_exit_code_2() -> None:
    failure = describe_failure(ArgumentError("Could not parse SQLAlchemy URL"))
    assert failure == (
        2,
        "configuration error: DATABASE_URL is not usable: Could not parse SQLAlchemy URL",
    )


def test_a_refused_connection_blames_the_database_when_it_is_the_only_resource() -> None:
    refused = ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed ('127.0.0.1', 1)")
    code, line = describe_failure(refused, database_url="postgresql+asyncpg://h:1/x") or (0, "")
    assert code == 1
    assert line.startswith("cannot reach the database at postgresql+asyncpg://h:1/x: ")


def test_a_refused_connection_elsewhere_is_a_runtime_failure_with_exit_code_1() -> None:
    refused = ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
    assert describe_failure(refused) == (1, "system error: [Errno 111] Connection refused")


def test_a_port_in_use_says_the_bot_cannot_listen() -> None:
    in_use = OSError(errno.EADDRINUSE, "address already in use")
    code, line = describe_failure(in_use) or (0, "")
    assert (code, line.split(":")[0]) == (1, "cannot listen")


def test_a_database_driver_error_keeps_only_the_drivers_words_on_one_line() -> None:
    failure = OperationalError("SELECT 1", {}, sqlite3.OperationalError("unable to open file"))
    assert describe_failure(failure) == (1, "cannot use the database: unable to open file")


def test_an_asyncpg_error_is_a_database_failure() -> None:
    missing = asyncpg.InvalidCatalogNameError('database "x" does not exist')
    assert describe_failure(missing) == (1, 'cannot use the database: database "x" does not exist')


def test_a_missing_optional_driver_says_which_extra_to_install() -> None:
    missing = ModuleNotFoundError("No module named 'asyncpg'", name="asyncpg")
    assert describe_failure(missing) == (
        1,
        "the asyncpg package is missing; install it with: pip install 'codev[postgres]'",
    )


def test_a_multi_line_message_is_folded_into_one_line() -> None:
    refused = ConnectionRefusedError("Multiple exceptions:\n  first\n  second")
    assert describe_failure(refused) == (1, "system error: Multiple exceptions: first second")


def test_an_unexpected_error_is_left_to_show_its_traceback() -> None:
    assert describe_failure(ValueError("a bug")) is None
