"""`/codev` in the member's language: the French of its descriptions and choices, from the catalog.

Discord shows a command's `description_localizations` (and a choice's `name_localizations`)
to members whose client is in that language; discord.py fills them in at sync time by asking
the command tree's `Translator` for each text. The English texts of commands.py come from the
same catalog keys (`english(key)`), so the two languages cannot drift apart. Subcommand and
option names stay English: they are what people type and what the docs show.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.flows.catalog import MESSAGES, t

PREFIX = "discord.slash."
LANGUAGES = {discord.Locale.french: "fr"}
_TRANSLATED = frozenset(
    {Where.group_description, Where.command_description, Where.parameter_description, Where.choice_name}
)

# English text -> catalog key, for every text of `/codev` that Discord shows.
KEYS: dict[str, str] = {t("en", key): key for key in MESSAGES if key.startswith(PREFIX)}


def english(key: str) -> str:
    """The text Discord shows by default; the translator finds its key again from it."""
    if not key.startswith(PREFIX):
        raise KeyError(f"{key} is not a /codev text")
    return t("en", key)


def translation(text: str, locale: discord.Locale) -> str | None:
    """`text` (a description or choice name of `/codev`) for members in `locale`, if Codev speaks it."""
    language = LANGUAGES.get(locale)
    key = KEYS.get(text)
    if language is None or key is None:
        return None
    return t(language, key)


class CatalogTranslator(app_commands.Translator):
    """Localizes descriptions and choice names; names of commands and options are left alone."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if context.location not in _TRANSLATED:
            return None
        return translation(string.message, locale)


def guild_language(guild: discord.Guild | None) -> str:
    """A message carries no locale of its sender: the server's preferred one stands in."""
    return "fr" if guild is not None and str(guild.preferred_locale).startswith("fr") else "en"
