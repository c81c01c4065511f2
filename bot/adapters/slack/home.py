"""The App Home tab: a person's circles, open cases, own action items, what awaits them,
and for a facilitator, a button per circle they facilitate that sends them its report."""

from __future__ import annotations

from datetime import date

from bot.adapters.slack.blocks import MAX_VIEW_BLOCKS, Block, Where, actions_blocks, clip, text_sections
from bot.adapters.slack.escape import escape
from bot.flows.catalog import t
from bot.overview import CircleOverview, Overview, overdue
from bot.records.commands import report_button


def home_view(overview: Overview, today: date, language: str = "en") -> Block:
    """A Home tab view; each circle speaks its own language."""
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(t(language, "slack.home.title"), 150)}}
    ]
    if not overview.circles:
        blocks.extend(text_sections(t(language, "slack.home.none")))
    # Circles with something in flight first: if the view is full, the quiet ones are left out.
    entries = sorted(overview.circles, key=lambda entry: not (entry.open_cases or entry.awaited or entry.own_items))
    for shown, entry in enumerate(entries):
        group = _circle_blocks(entry, overview.user_id, today)
        if len(blocks) + len(group) > MAX_VIEW_BLOCKS - 1:  # one block left to say what is missing
            blocks.extend(text_sections(t(language, "slack.home.more", count=len(entries) - shown)))
            break
        blocks.extend(group)
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}


def _circle_blocks(entry: CircleOverview, user_id: str, today: date) -> list[Block]:
    circle = entry.circle
    lang = circle.settings.language
    lines = [t(lang, "slack.home.circle", name=escape(circle.name), channel=circle.channel_id)]
    if entry.open_cases:
        lines.extend(
            t(
                lang,
                "slack.home.case",
                number=case.number,
                title=escape(case.expose.title),
                phase=f"phase.{case.phase}",
            )
            for case in entry.open_cases
        )
    else:
        lines.append(t(lang, "slack.home.no_cases"))
    if entry.own_items:
        lines.append(t(lang, "slack.home.items"))
        for own in entry.own_items:
            due = ""
            if own.item.due is not None:
                key = "slack.home.overdue" if overdue(own.item, today) else "slack.home.due"
                due = t(lang, key, date=own.item.due.isoformat())
            lines.append(t(lang, "slack.home.item", what=escape(own.item.what), number=own.case_number, due=due))
    if entry.awaited:
        lines.append(t(lang, "slack.home.awaits"))
        lines.extend(
            t(lang, "slack.home.await", number=w.case_number, title=escape(w.case_title), phase=f"phase.{w.phase}")
            for w in entry.awaited
        )
    blocks: list[Block] = [{"type": "divider"}]
    # Already escaped above: the catalog's own mrkdwn (bold, channel links) must stay.
    blocks.extend({"type": "section", "text": {"type": "mrkdwn", "text": piece}} for piece in _pieces(lines))
    if user_id in circle.facilitators:
        # No channel behind the Home tab: the button names the circle by its channel.
        blocks.extend(actions_blocks((report_button(circle),), Where(circle.channel_id)))
    return blocks


def _pieces(lines: list[str], limit: int = 3000) -> list[str]:
    pieces: list[str] = []
    current = ""
    for line in lines:
        line = clip(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            pieces.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        pieces.append(current)
    return pieces
