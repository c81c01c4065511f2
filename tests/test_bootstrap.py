"""The composition root: `build` wires a working Codev; `codev run` explains what is missing."""

from __future__ import annotations

import dataclasses
import gc
import io
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from bot.bootstrap import YOUNG_COLLECTION_EVERY, build, collect_while_idle, configured_adapters, run, tune_collector
from bot.config import DatabaseSettings, DiscordSettings, Settings, SlackSettings, load_settings
from bot.incoming import Incoming, Origin, SlashCommand
from bot.storage.migrate import current_revision

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def without_platforms() -> Settings:
    return dataclasses.replace(
        load_settings(env_file=None),
        slack=SlackSettings(bot_token=None, signing_secret=None, app_token=None, client_id=None, client_secret=None),
        discord=DiscordSettings(token=None),
    )


@pytest.mark.asyncio
async def test_run_with_no_platform_configured_explains_how_to_configure_one() -> None:
    err = io.StringIO()
    assert await run(without_platforms(), err=err) == 2
    explained = err.getvalue()
    for needed in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DISCORD_TOKEN"):
        assert needed in explained
    assert "codev console" in explained
    assert "codev demo" in explained


def test_a_discord_token_gives_the_discord_adapter_without_connecting_yet() -> None:
    settings = dataclasses.replace(without_platforms(), discord=DiscordSettings(token=SecretStr("discord-token")))
    adapters, missing = configured_adapters(settings)
    assert [adapter.platform for adapter in adapters] == ["discord"]
    assert missing == []


@pytest.mark.asyncio
async def test_build_migrates_the_database_and_wakes_the_dispatcher_after_a_commit(database_url: str) -> None:
    settings = dataclasses.replace(load_settings(env_file=None), database=DatabaseSettings(url=database_url))
    app = await build(settings, clock=lambda: NOW, deliverers={}, worker_id="test")
    try:
        assert await current_revision(settings.database.url) is not None
        origin = Origin("console", "console", "#circle", "maya", "Maya")
        assert not app.wake.is_set()
        await app.codev.handle(Incoming(origin, SlashCommand('setup "Leads circle"')))
        assert app.wake.is_set()
    finally:
        await app.close()


def test_after_tuning_the_collector_a_full_collection_has_none_of_the_startup_heap_to_scan() -> None:
    thresholds = gc.get_threshold()
    gc.unfreeze()
    try:
        tune_collector()
        oldest = gc.get_objects(generation=2)
        frozen = gc.get_freeze_count()
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)

    assert oldest == []
    assert frozen > 0


def _collections_while_keeping(count: int, *, oldest_at_least: int = 0) -> int:
    """How many collections of generation `oldest_at_least` or older run while `count`
    containers are made and kept alive, as a request's or a burst's work in flight is."""
    collections = 0

    def counted(phase: str, info: dict[str, int]) -> None:
        nonlocal collections
        if phase == "start" and info["generation"] >= oldest_at_least:
            collections += 1

    gc.collect()
    gc.callbacks.append(counted)
    try:
        kept = [[] for _ in range(count)]
    finally:
        gc.callbacks.remove(counted)
    assert len(kept) == count
    return collections


def test_after_tuning_the_collector_thousands_of_new_objects_trigger_no_collection() -> None:
    thresholds = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)  # CPython's default
        before = _collections_while_keeping(5_000)
        tune_collector()
        after = _collections_while_keeping(5_000)
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)

    assert before >= 5
    assert after == 0


def test_after_tuning_the_collector_a_burst_of_live_objects_triggers_no_middle_collection() -> None:
    thresholds = gc.get_threshold()
    try:
        tune_collector()
        collections = _collections_while_keeping(20 * YOUNG_COLLECTION_EVERY, oldest_at_least=1)
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)

    assert collections == 0


def _after_idle_collection(young_objects: int) -> int:
    """The young generation's count once `collect_while_idle` ran with `young_objects` new ones."""
    thresholds = gc.get_threshold()
    gc.disable()  # no automatic collection in between: the count is the one made here
    try:
        gc.collect()
        kept = [[] for _ in range(young_objects)]
        collect_while_idle()
        count = gc.get_count()[0]
    finally:
        gc.enable()
        gc.set_threshold(*thresholds)
    assert len(kept) == young_objects
    return count


def test_when_idle_a_fair_amount_of_young_garbage_is_collected() -> None:
    assert _after_idle_collection(YOUNG_COLLECTION_EVERY // 2) < 100


def test_when_idle_a_little_young_garbage_is_left_for_later() -> None:
    assert _after_idle_collection(100) >= 100


def test_when_idle_a_full_collection_that_is_due_runs_then() -> None:
    thresholds = gc.get_threshold()
    gc.disable()
    try:
        gc.collect()
        for _ in range(thresholds[2]):
            gc.collect(1)  # each counts towards the next full collection
        due = gc.get_count()[2]
        collect_while_idle()
        after = gc.get_count()[2]
    finally:
        gc.enable()
        gc.set_threshold(*thresholds)

    assert due >= thresholds[2]
    assert after == 0
