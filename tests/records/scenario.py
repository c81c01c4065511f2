"""A whole consultation played through the service, in English or French, for records tests.

Every step goes through `Driver` (the real service, storage and outbox); the clock moves by
hand and ids are predictable, so the record it produces is the same on every run.
"""

from __future__ import annotations

from datetime import timedelta

from bot.flows.effects import SendFile
from bot.flows.model import Case, Phase
from bot.incoming import ThreadReply
from tests.service.helpers import CLIENT, CONSULTANTS, Driver, accepted, case_of, contributions_of, queued

BOB, CY, DAN = CONSULTANTS
HOUR = timedelta(hours=1)

TEXTS = {
    "en": {
        "q1": "What happened first?",
        "q2": "Who else on the team feels it? Does @everyone know, or <!channel>?",
        "a1": "I talked to each of them.\n\nThe whole team feels it, <@U999|boss> included.",
        "early": "You should organise a mediation.",
        "q3": "How long has it lasted?",
        "a3": "Six months.",
        "contract": "Help me find a first step I can take this month.",
        "advice1": "Start with a one-to-one with each of them.",
        "advice2": "Then a joint meeting with a clear agenda.",
        "advice3": "In my team, a shared goal helped. <!here>",
        "plan": {
            "synthesis": "Talk first, then build together.",
            "actions": "Meet them both (by 2026-12-20)\nWrite a team charter",
        },
        "learn_client": "Asking for help early works.",
        "learn_bob": "Listening before advising.",
        "note": "We met twice.",
    },
    "fr": {
        "q1": "Que s'est-il passé d'abord ?",
        "q2": "Qui d'autre le ressent ? Est-ce que @everyone le sait, ou <!channel> ?",
        "a1": "J'ai parlé à chacun.\n\nToute l'équipe le ressent, <@U999|boss> compris.",
        "early": "Vous devriez organiser une médiation.",
        "q3": "Depuis combien de temps ?",
        "a3": "Six mois.",
        "contract": "Aidez-moi à trouver un premier pas pour ce mois-ci.",
        "advice1": "Commencez par un tête-à-tête avec chacun.",
        "advice2": "Puis une réunion commune avec un ordre du jour clair.",
        "advice3": "Dans mon équipe, un objectif commun a aidé. <!here>",
        "plan": {
            "synthesis": "Parler d'abord, construire ensuite.",
            "actions": "Les voir tous les deux (by 2026-12-20)\nÉcrire une charte d'équipe",
        },
        "learn_client": "Demander de l'aide tôt, ça marche.",
        "learn_bob": "Écouter avant de conseiller.",
        "note": "Nous nous sommes vus deux fois.",
    },
}


async def say_in_thread(driver: Driver, user: str, text: str) -> None:
    """A reply in case 1's thread, with a message ref that does not embed the user's id."""
    driver.clock.advance(HOUR)
    accepted(await driver.send(user, ThreadReply(text, None), thread="T1"))


async def full_consultation(driver: Driver, language: str = "en") -> Case:
    """Setup, exposé, questions and answers, parked advice, contract, advice, a signal, plan,
    endorsements, learnings and follow-up updates until the case closes."""
    text = TEXTS[language]
    await driver.start_circle(language=language, timezone="America/Montreal")
    case = await driver.open_case()
    await say_in_thread(driver, BOB, text["q1"])
    await say_in_thread(driver, CY, text["q2"])
    await say_in_thread(driver, CLIENT, text["a1"])
    await say_in_thread(driver, DAN, text["early"])
    [parked] = [p for p in (await case_of(driver.sessions, case.id)).parked if p.author_id == DAN]
    accepted(await driver.press(DAN, "keep_for_consultation", case.id, parked.contribution_id))
    await say_in_thread(driver, DAN, text["q3"])
    await say_in_thread(driver, CLIENT, text["a3"])
    for user in CONSULTANTS:
        accepted(await driver.press(user, "no_more_questions", case.id))
    await say_in_thread(driver, CLIENT, text["contract"])
    for user in (BOB, CY):
        driver.clock.advance(HOUR)
        accepted(await driver.press(user, "ack_can_help", case.id))
    await say_in_thread(driver, BOB, text["advice1"])
    await say_in_thread(driver, BOB, text["advice2"])
    await say_in_thread(driver, CY, text["advice3"])
    driver.clock.advance(HOUR)
    accepted(await driver.press(CLIENT, "signal", case.id, "clarify"))
    for user in CONSULTANTS:
        accepted(await driver.press(user, "done", case.id))
    driver.clock.advance(HOUR)
    accepted(await driver.fill(CLIENT, "plan", text["plan"], case.id))
    for user in (BOB, CY):
        driver.clock.advance(HOUR)
        accepted(await driver.press(user, "endorse", case.id))
    await say_in_thread(driver, CLIENT, text["learn_client"])
    for user in CONSULTANTS:
        driver.clock.advance(HOUR)
        accepted(await driver.fill(user, "learning", {"learning": text["learn_bob"] + f" ({user})"}, case.id))
    driver.clock.advance(timedelta(days=3))
    accepted(await driver.fill(CLIENT, "update", {"item": "1", "status": "done", "note": text["note"]}, case.id))
    driver.clock.advance(timedelta(days=2))
    accepted(await driver.fill(CLIENT, "update", {"item": "2", "status": "dropped"}, case.id))
    final = await case_of(driver.sessions, case.id)
    assert final.phase is Phase.CLOSED, final.phase
    assert len(await contributions_of(driver.sessions, case.id)) > 20
    return final


async def a_case_in_progress(driver: Driver, language: str = "en") -> Case:
    """The cheap setting for refusals: a circle and its case 1, just opened."""
    await driver.start_circle(language=language)
    return await driver.open_case()


async def files_sent(driver: Driver) -> list[SendFile]:
    return [row.effect for row in await queued(driver.sessions) if isinstance(row.effect, SendFile)]
