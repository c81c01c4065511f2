"""Texts of meetings: follow-up nudges and reminders, and the meeting digest."""

from __future__ import annotations

SCHEDULING_MESSAGES: dict[str, tuple[str, str]] = {
    "meeting.nudge": (
        "*{circle}* meets on {when}. How is your action plan for case {number} ({title}) going? "
        "Press the button to post an update; it goes to the case's thread.",
        "*{circle}* se réunit le {when}. Où en est votre plan d'action pour le cas {number} ({title}) ? "
        "Le bouton ouvre le formulaire de nouvelles ; elles seront publiées dans le fil du cas.",
    ),
    "meeting.reminder": (
        "A gentle reminder: *{circle}* meets on {when}, and the circle would love to hear how case "
        "{number} ({title}) is going. A line or two is plenty.",
        "Petit rappel : *{circle}* se réunit le {when}, et le cercle aimerait savoir où en est le cas "
        "{number} ({title}). Une ligne ou deux suffisent.",
    ),
    "digest.text": (
        "*Meeting digest — {circle}*, {when}\n"
        "*Cases in flight*\n{in_flight}\n"
        "*Updates received*\n{received}\n"
        "*Updates still missing*\n{missing}\n"
        "*Client next:* {next_client}",
        "*Résumé de la rencontre — {circle}*, {when}\n"
        "*Cas en cours*\n{in_flight}\n"
        "*Nouvelles reçues*\n{received}\n"
        "*Nouvelles attendues*\n{missing}\n"
        "*Prochaine personne cliente :* {next_client}",
    ),
    "digest.case_line": (
        "• Case {number}, {title} ({client}): {phase}",
        "• Cas {number}, {title} ({client}) : {phase}",
    ),
    "digest.update_line": (
        "• Case {number}, {title} ({client})",
        "• Cas {number}, {title} ({client})",
    ),
    "digest.completed_line": (
        "• Case {number}, {title} ({client}): plan completed, case closed",
        "• Cas {number}, {title} ({client}) : plan mené à bien, cas clos",
    ),
    "digest.no_case": ("• none", "• aucun"),
    "digest.no_update": ("• none", "• aucune"),
    "digest.nobody": ("nobody in the queue", "personne dans la file"),
}
