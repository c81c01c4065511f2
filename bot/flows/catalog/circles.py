"""Texts of circle life: setup, charter, membership, meetings, rotation."""

from __future__ import annotations

CIRCLE_MESSAGES: dict[str, tuple[str, str]] = {
    "charter.confidentiality": (
        "Confidentiality: what is said in the circle stays in the circle.",
        "Confidentialité : ce qui se dit dans le cercle reste dans le cercle.",
    ),
    "charter.kindness": ("Kindness toward each other.", "Bienveillance les uns envers les autres."),
    "charter.truthfulness": ("Speaking truthfully.", "Parler vrai."),
    "charter.commitment": (
        "Commitment: taking part in every phase, for the whole cycle.",
        "Engagement : participer à chaque phase, pendant tout le cycle.",
    ),
    "charter.prompt": (
        "To join, accept the circle's charter:\n{charter}",
        "Pour rejoindre le cercle, acceptez sa charte :\n{charter}",
    ),
    "circle.created": (
        "{who} set up the co-development circle *{name}* here. Join with /codev join.",
        "{who} a créé ici le cercle de codéveloppement *{name}*. Rejoignez-le avec /codev join.",
    ),
    "circle.welcome": (
        "Welcome to {who}, who accepted the charter.",
        "Bienvenue à {who}, qui a accepté la charte.",
    ),
    "circle.size_warning": (
        "Members in the circle now: {size}. Co-development works best with 4 to 8.",
        "Membres du cercle à présent : {size}. Le codéveloppement fonctionne mieux de 4 à 8.",
    ),
    "circle.left": ("{who} left the circle.", "{who} a quitté le cercle."),
    "circle.new_facilitator": ("{who} is now a facilitator.", "{who} anime maintenant le cercle."),
    "circle.paused": (
        "The circle is paused: no reminders, nudges or digests until it resumes.",
        "Le cercle est en pause : aucun rappel ni résumé jusqu'à sa reprise.",
    ),
    "circle.resumed": ("The circle resumes.", "Le cercle reprend."),
    "settings.changed": (
        "The circle's settings were updated: {changes}.",
        "Les réglages du cercle ont été mis à jour : {changes}.",
    ),
    "circle.removed": (
        "{who} is no longer a member of the circle ({by} removed them).",
        "{who} ne fait plus partie du cercle (retrait par {by}).",
    ),
    "meetings.added": ("Meeting added: {when}.", "Rencontre ajoutée : {when}."),
    "meetings.added_moved": (
        "Meeting added: {when}. The clocks skip that hour that day, so it is held at {held}.",
        "Rencontre ajoutée : {when}. L'heure change ce jour-là et saute ce moment : elle a lieu à {held}.",
    ),
    "meetings.skipped": ("No meeting on {day}.", "Pas de rencontre le {day}."),
    "meetings.no_rule_to_clear": (
        "There are no recurring meetings to clear.",
        "Il n'y a pas de rencontres récurrentes à retirer.",
    ),
    "meetings.rule_cleared": (
        "The recurring meetings are cleared; the dates added one by one and the skipped days stay.",
        "Les rencontres récurrentes sont retirées ; les dates ajoutées une à une et les jours sautés restent.",
    ),
    "meetings.changed": (
        "Next meetings ({zone}):\n{meetings}",
        "Prochaines rencontres ({zone}) :\n{meetings}",
    ),
    "queue.volunteered": (
        "{who} volunteers to be the next client.",
        "{who} se propose comme prochaine personne cliente.",
    ),
    "queue.swap_asked": (
        "{who} asks to swap turns with you: you would move from place {place} to place {new_place} "
        "in the client queue. Nothing changes unless you accept.",
        "{who} vous propose d'échanger vos tours : vous passeriez de la place {place} à la place "
        "{new_place} dans la file des personnes clientes. Rien ne change si vous n'acceptez pas.",
    ),
    "queue.swap_accept": ("Swap turns with {who}", "Échanger avec {who}"),
    "queue.swap_requested": (
        "I asked {who}: your turns are swapped once they accept.",
        "J'ai posé la question à {who} : vos tours seront échangés dès son accord.",
    ),
    "queue.swapped": (
        "{first} and {second} swapped their turns.",
        "{first} et {second} ont échangé leur tour.",
    ),
}
