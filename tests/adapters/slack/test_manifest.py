"""`codev slack-manifest`: the app manifest for Socket Mode or HTTP mode, as YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.slack.manifest import manifest, to_yaml
from bot.cli import main


def test_a_socket_mode_manifest_enables_socket_mode_and_names_no_url() -> None:
    data = manifest(socket_mode=True, url=None)

    assert data["settings"]["socket_mode_enabled"] is True
    assert "url" not in to_yaml(data).replace("redirect_urls", "")
    assert data["features"]["slash_commands"][0]["command"] == "/codev"


def test_an_http_mode_manifest_points_commands_events_and_interactivity_at_slack_events() -> None:
    data = manifest(socket_mode=False, url="https://codev.example.com/", oauth=True)

    events = "https://codev.example.com/slack/events"
    assert data["features"]["slash_commands"][0]["url"] == events
    assert data["settings"]["event_subscriptions"]["request_url"] == events
    assert data["settings"]["interactivity"]["request_url"] == events
    assert data["oauth_config"]["redirect_urls"] == ["https://codev.example.com/slack/oauth_redirect"]
    assert {"message.channels", "app_home_opened"} <= set(data["settings"]["event_subscriptions"]["bot_events"])
    assert {"commands", "chat:write", "channels:history"} <= set(data["oauth_config"]["scopes"]["bot"])


def test_the_yaml_nests_mappings_and_lists_in_block_style() -> None:
    text = to_yaml({"a": {"b": True, "c": ["x", {"d": 1, "e": "f: g"}]}, "empty": []})

    assert text == 'a:\n  b: true\n  c:\n    - "x"\n    - d: 1\n      e: "f: g"\nempty: []\n'


@pytest.fixture
def no_slack_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """An empty settings file and no SLACK_APP_TOKEN in the environment."""
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    env_file = tmp_path / "empty.env"
    env_file.write_text("", encoding="utf-8")
    return str(env_file)


def test_the_cli_prints_the_manifest(capsys: pytest.CaptureFixture[str], no_slack_settings: str) -> None:
    code = main(["--env-file", no_slack_settings, "slack-manifest", "--url", "https://codev.example.com"])

    assert code == 0
    printed = capsys.readouterr().out
    assert printed.startswith("_metadata:\n")
    assert 'request_url: "https://codev.example.com/slack/events"' in printed


def test_the_cli_asks_for_a_url_in_http_mode(capsys: pytest.CaptureFixture[str], no_slack_settings: str) -> None:
    assert main(["--env-file", no_slack_settings, "slack-manifest"]) == 2
    assert "--url" in capsys.readouterr().err
