"""`/codev` as an application command group: the subcommands of DESIGN §3, with typed options.

Each subcommand rebuilds the text a person would type after `/codev` (the same text the
Slack and console adapters hand the core), so parsing and refusals stay in one place.
Case numbers are offered by autocomplete from the case threads of the channel (derived from
Discord, not from storage); members are Discord's own member picker.
Descriptions and choice names are the catalog's English; bot.adapters.discord.localize gives
Discord their French.
Commands are registered per server by `codev discord-sync` (see bot.adapters.discord.sync).
"""

from __future__ import annotations

import re
import shlex
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.localize import english
from bot.adapters.discord.views import _HANDLERS

CaseNumber = app_commands.Range[int, 1, 999_999]
CASE = english("discord.slash.option.case")
_NUMBER = re.compile(r"(\d+)")
SETTING_NAMES = (
    "language",
    "timezone",
    "window.clarification",
    "window.contract",
    "window.consultation",
    "window.action_plan",
    "window.learnings",
    "client_interaction",
    "facilitators_consult",
    "nudge_lead",
    "digest_lead",
    "followup_meetings",
    "retention_days",
    "facilitator",
)


async def _run(interaction: discord.Interaction[Any], *words: object) -> None:
    text = " ".join(str(word) for word in words if word is not None and word != "")
    await _HANDLERS[interaction.client].slash(interaction, text)  # type: ignore[attr-defined]


def _quoted(text: str | None) -> str | None:
    return shlex.quote(text) if text else None


def _mention(member: discord.abc.User | None) -> str | None:
    return f"<@{member.id}>" if member is not None else None


async def case_choices(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[int]]:
    """The channel's case threads ("Case 3: …"), newest first, filtered by what was typed."""
    channel = interaction.channel
    if isinstance(channel, discord.Thread):
        channel = channel.parent
    threads: list[discord.Thread] = list(getattr(channel, "threads", []) or [])
    me = interaction.client.user
    choices: list[app_commands.Choice[int]] = []
    typed = current.strip().lstrip("#").casefold()
    for thread in sorted(threads, key=lambda found: found.id, reverse=True):
        number = _NUMBER.search(thread.name)
        if number is None or (me is not None and thread.owner_id not in (me.id, None)):
            continue
        if typed and typed not in thread.name.casefold():  # "case", "conflict": as people type
            continue
        choices.append(app_commands.Choice(name=thread.name[:100], value=int(number.group(1))))
    return choices[:25]


async def setting_choices(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=name, value=name) for name in SETTING_NAMES if current.lower() in name][:25]


class CodevGroup(app_commands.Group):
    """`/codev …`; only in servers (a circle belongs to a server channel)."""

    def __init__(self) -> None:
        super().__init__(name="codev", description=english("discord.slash.codev"), guild_only=True)

    @app_commands.command(name="help", description=english("discord.slash.help"))
    async def help_(self, interaction: discord.Interaction[Any]) -> None:
        await _run(interaction, "help")

    @app_commands.command(description=english("discord.slash.setup"))
    @app_commands.describe(
        name=english("discord.slash.option.circle_name"),
        language=english("discord.slash.option.language"),
        timezone=english("discord.slash.option.timezone"),
    )
    @app_commands.choices(
        language=[
            app_commands.Choice(name=english("discord.slash.choice.english"), value="en"),
            app_commands.Choice(name=english("discord.slash.choice.french"), value="fr"),
        ]
    )
    async def setup(
        self,
        interaction: discord.Interaction[Any],
        name: str | None = None,
        language: str | None = None,
        timezone: str | None = None,
    ) -> None:
        if name is None:
            await _run(interaction, "setup")
            return
        default_language = "fr" if str(interaction.locale).startswith("fr") else "en"
        words = [_quoted(name), language or default_language]
        if timezone:
            words.append(_quoted(timezone))
        await _run(interaction, "setup", *words)

    @app_commands.command(description=english("discord.slash.join"))
    async def join(self, interaction: discord.Interaction[Any]) -> None:
        await _run(interaction, "join")

    @app_commands.command(description=english("discord.slash.leave"))
    async def leave(self, interaction: discord.Interaction[Any]) -> None:
        await _run(interaction, "leave")

    @app_commands.command(description=english("discord.slash.remove"))
    @app_commands.describe(member=english("discord.slash.option.removed"))
    async def remove(self, interaction: discord.Interaction[Any], member: discord.Member) -> None:
        await _run(interaction, "remove", _mention(member))

    @app_commands.command(description=english("discord.slash.members"))
    async def members(self, interaction: discord.Interaction[Any]) -> None:
        await _run(interaction, "members")

    @app_commands.command(description=english("discord.slash.submit"))
    async def submit(self, interaction: discord.Interaction[Any]) -> None:
        await _run(interaction, "submit")

    @app_commands.command(description=english("discord.slash.status"))
    @app_commands.describe(case=CASE)
    @app_commands.autocomplete(case=case_choices)
    async def status(self, interaction: discord.Interaction[Any], case: CaseNumber | None = None) -> None:
        await _run(interaction, "status", case)

    @app_commands.command(description=english("discord.slash.advance"))
    @app_commands.describe(case=CASE)
    @app_commands.autocomplete(case=case_choices)
    async def advance(self, interaction: discord.Interaction[Any], case: CaseNumber | None = None) -> None:
        await _run(interaction, "advance", case)

    @app_commands.command(description=english("discord.slash.extend"))
    @app_commands.describe(by=english("discord.slash.option.extend_by"), case=CASE)
    @app_commands.autocomplete(case=case_choices)
    async def extend(self, interaction: discord.Interaction[Any], by: str, case: CaseNumber | None = None) -> None:
        await _run(interaction, "extend", case, _quoted(by))

    @app_commands.command(description=english("discord.slash.pause"))
    @app_commands.describe(case=CASE)
    @app_commands.autocomplete(case=case_choices)
    async def pause(self, interaction: discord.Interaction[Any], case: CaseNumber | None = None) -> None:
        await _run(interaction, "pause", case)

    @app_commands.command(description=english("discord.slash.resume"))
    @app_commands.describe(case=CASE)
    @app_commands.autocomplete(case=case_choices)
    async def resume(self, interaction: discord.Interaction[Any], case: CaseNumber | None = None) -> None:
        await _run(interaction, "resume", case)

    @app_commands.command(description=english("discord.slash.withdraw"))
    @app_commands.describe(case=CASE)
    @app_commands.autocomplete(case=case_choices)
    async def withdraw(self, interaction: discord.Interaction[Any], case: CaseNumber | None = None) -> None:
        await _run(interaction, "withdraw", case)

    @app_commands.command(description=english("discord.slash.reassign"))
    @app_commands.describe(member=english("discord.slash.option.new_client"), case=CASE)
    @app_commands.autocomplete(case=case_choices)
    async def reassign(
        self, interaction: discord.Interaction[Any], member: discord.Member, case: CaseNumber | None = None
    ) -> None:
        await _run(interaction, "reassign", case, _mention(member))

    @app_commands.command(description=english("discord.slash.queue"))
    @app_commands.describe(
        action=english("discord.slash.option.queue_action"),
        first=english("discord.slash.option.swap_first"),
        second=english("discord.slash.option.swap_second"),
    )
    @app_commands.choices(
        action=[
            app_commands.Choice(name=english(f"discord.slash.choice.{action}"), value=action)
            for action in ("show", "volunteer", "swap")
        ]
    )
    async def queue(
        self,
        interaction: discord.Interaction[Any],
        action: str = "show",
        first: discord.Member | None = None,
        second: discord.Member | None = None,
    ) -> None:
        if action == "show":
            await _run(interaction, "queue")
        else:
            await _run(interaction, "queue", action, _mention(first), _mention(second))

    @app_commands.command(description=english("discord.slash.meetings"))
    async def meetings(self, interaction: discord.Interaction[Any]) -> None:
        await _run(interaction, "meetings")

    @app_commands.command(description=english("discord.slash.schedule"))
    @app_commands.describe(rule=english("discord.slash.option.rule"))
    async def schedule(self, interaction: discord.Interaction[Any], rule: str) -> None:
        await _run(interaction, "schedule", rule)

    @app_commands.command(description=english("discord.slash.update"))
    @app_commands.describe(case=CASE)
    @app_commands.autocomplete(case=case_choices)
    async def update(self, interaction: discord.Interaction[Any], case: CaseNumber | None = None) -> None:
        await _run(interaction, "update", case)

    @app_commands.command(description=english("discord.slash.export"))
    @app_commands.describe(case=CASE, circle=english("discord.slash.option.circle_report"))
    @app_commands.autocomplete(case=case_choices)
    async def export(
        self, interaction: discord.Interaction[Any], case: CaseNumber | None = None, circle: bool = False
    ) -> None:
        await _run(interaction, "export", "circle" if circle else case)

    @app_commands.command(description=english("discord.slash.journal"))
    @app_commands.describe(action=english("discord.slash.option.journal_action"))
    @app_commands.choices(
        action=[
            app_commands.Choice(name=english(f"discord.slash.choice.{action}"), value=action)
            for action in ("write", "list")
        ]
    )
    async def journal(self, interaction: discord.Interaction[Any], action: str = "write") -> None:
        await _run(interaction, "journal", "list" if action == "list" else None)

    @app_commands.command(description=english("discord.slash.settings"))
    @app_commands.describe(
        name=english("discord.slash.option.setting"),
        value=english("discord.slash.option.setting_value"),
        member=english("discord.slash.option.new_facilitator"),
    )
    @app_commands.autocomplete(name=setting_choices)
    async def settings(
        self,
        interaction: discord.Interaction[Any],
        name: str | None = None,
        value: str | None = None,
        member: discord.Member | None = None,
    ) -> None:
        await _run(interaction, "settings", _quoted(name), _quoted(value) if member is None else _mention(member))

    @app_commands.command(name="forget-me", description=english("discord.slash.forget_me"))
    @app_commands.describe(
        member=english("discord.slash.option.former_member"),
        name=english("discord.slash.option.former_name"),
        circle=english("discord.slash.option.delete_circle"),
    )
    async def forget_me(
        self,
        interaction: discord.Interaction[Any],
        member: discord.User | None = None,
        name: str | None = None,
        circle: bool = False,
    ) -> None:
        if circle:
            await _run(interaction, "forget-me", "circle")
        else:  # a name alone means nothing without whom it names: the core then erases the caller
            await _run(interaction, "forget-me", _mention(member), _quoted(name) if member else None)
