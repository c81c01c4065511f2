"""Texts only the Slack adapter shows: App Home, channel checks, delivery failures."""

from __future__ import annotations

SLACK_MESSAGES: dict[str, tuple[str, str]] = {
    "slack.home.title": ("Your co-development circles", "Vos cercles de codéveloppement"),
    "slack.home.none": (
        "You are not in a circle yet. In a channel that hosts one, type `/codev join`; to start "
        "one, `/codev setup` in the channel of your choice.",
        "Vous n'êtes encore dans aucun cercle. Dans le canal d'un cercle, tapez `/codev join` ; "
        "pour en créer un, `/codev setup` dans le canal de votre choix.",
    ),
    "slack.home.more": (
        "Circles not shown here, for want of room: {count}. /codev status in their channels tells where they stand.",
        "Cercles non affichés ici, faute de place : {count}. /codev status dans leurs canaux dit où ils en sont.",
    ),
    "slack.home.circle": ("*{name}* in <#{channel}>", "*{name}* dans <#{channel}>"),
    "slack.home.no_cases": ("No case in progress.", "Aucun cas en cours."),
    "slack.home.case": ("• Case {number}: {title} — _{phase}_", "• Cas {number} : {title} — _{phase}_"),
    "slack.home.items": ("Your action items:", "Vos actions :"),
    "slack.home.item": ("• {what} (case {number}){due}", "• {what} (cas {number}){due}"),
    "slack.home.due": (", due {date}", ", pour le {date}"),
    "slack.home.overdue": (", *overdue since {date}*", ", *en retard depuis le {date}*"),
    "slack.home.awaits": ("Waiting on you:", "On attend de vous :"),
    "slack.home.await": ("• Case {number} ({title}): {phase}", "• Cas {number} ({title}) : {phase}"),
    "slack.close": ("Cancel", "Annuler"),
    "slack.settings.title": ("Circle settings", "Réglages du cercle"),
    "slack.settings.save": ("Save", "Enregistrer"),
    "slack.settings.name": ("Setting to change", "Réglage à changer"),
    "slack.settings.value": (
        "New value (e.g. fr, America/Montreal, 3d, clarify_allowed, yes)",
        "Nouvelle valeur (ex. fr, America/Montreal, 3d, clarify_allowed, yes)",
    ),
    "slack.invite": (
        "I cannot post in this channel yet, so the circle's cards and replies would not reach "
        "anyone. Invite me first: type `/invite @Codev` here (or open the channel's details, "
        "Integrations, Add apps), then run `/codev setup` again.",
        "Je ne peux pas encore publier dans ce canal : les cartes et réponses du cercle "
        "n'arriveraient à personne. Invitez-moi d'abord : tapez `/invite @Codev` ici (ou détails "
        "du canal, Intégrations, Ajouter des applications), puis relancez `/codev setup`.",
    ),
    "slack.form_not_opened": (
        "The form could not open in time (Slack gives it a few seconds). Nothing was changed: "
        "please run the command or press the button again.",
        "Le formulaire n'a pas pu s'ouvrir à temps (Slack ne lui laisse que quelques secondes). Rien "
        "n'a été modifié : relancez la commande ou appuyez de nouveau sur le bouton.",
    ),
    "slack.failed": (
        "Something went wrong on our side; nothing was changed. Please try again in a moment.",
        "Un problème est survenu de notre côté ; rien n'a été modifié. Réessayez dans un instant.",
    ),
    "slack.reply_not_recorded": (
        "Your reply is still in the thread, but Codev could not record it: something went wrong on "
        "Codev's side. Please post it again in a moment.",
        "Votre réponse est toujours dans le fil, mais Codev n'a pas pu l'enregistrer : un problème est "
        "survenu du côté de Codev. Publiez-la à nouveau dans un instant.",
    ),
    "delivery.failed": (
        "Codev could not deliver a message of the circle *{name}* and has given up on it: {reason}. {hint}",
        "Codev n'a pas pu remettre un message du cercle *{name}* et y a renoncé : {reason}. {hint}",
    ),
    "delivery.hint.channel": (
        "The circle's channel is gone, archived, or I was removed from it: invite me back "
        "(`/invite @Codev`) or unarchive the channel, so the next messages arrive.",
        "Le canal du cercle n'existe plus, est archivé, ou on m'en a retiré : invitez-moi à "
        "nouveau (`/invite @Codev`) ou désarchivez le canal pour que les prochains messages arrivent.",
    ),
    "delivery.hint.other": (
        "Later messages will still be tried; tell your workspace admin if this repeats.",
        "Les messages suivants seront quand même tentés ; prévenez l'admin de l'espace si cela se répète.",
    ),
}
