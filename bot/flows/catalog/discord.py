"""Texts only the Discord adapter shows: acknowledgements, multi-step forms, setup warnings, and the
descriptions of `/codev` (its subcommands, options and choices) in Discord's command picker."""

from __future__ import annotations

DISCORD_MESSAGES: dict[str, tuple[str, str]] = {
    "discord.done": ("Done.", "C'est fait."),
    "discord.failed": (
        "Something went wrong on Codev's side; nothing was changed. Please try again in a moment.",
        "Un problème est survenu du côté de Codev ; rien n'a été modifié. Réessayez dans un instant.",
    ),
    "discord.form_step": (
        "Step {step} of {steps} saved. Continue when you are ready.",
        "Étape {step} sur {steps} enregistrée. Continuez quand vous êtes prêt·e.",
    ),
    "discord.form_continue": ("Continue ({step}/{steps})", "Continuer ({step}/{steps})"),
    "discord.form_send_now": ("Send without the rest", "Envoyer sans la suite"),
    "discord.form_open": ("Open the form", "Ouvrir le formulaire"),
    "discord.form_mend": ("Correct and send again", "Corriger et renvoyer"),
    "discord.form_kept": (
        "What you typed is kept: the form opens again filled in, to correct and send.",
        "Ce que vous avez saisi est conservé : le formulaire s'ouvre de nouveau rempli, à corriger et renvoyer.",
    ),
    "discord.form_ready": (
        "Your form is ready: open it with the button below.",
        "Votre formulaire est prêt : ouvrez-le avec le bouton ci-dessous.",
    ),
    "discord.form_lost": (
        "This form is no longer open (Codev restarted, or it was sent already), so this page was not "
        "sent. Here is what you typed, to copy into the form when you run the command again:\n\n{typed}",
        "Ce formulaire n'est plus ouvert (Codev a redémarré, ou il a déjà été envoyé) : cette page n'a "
        "donc pas été envoyée. Voici ce que vous aviez saisi, à recopier quand vous relancerez la "
        "commande :\n\n{typed}",
    ),
    "discord.button_expired": (
        "This button no longer works (Codev restarted since it was shown). Run the command again.",
        "Ce bouton ne fonctionne plus (Codev a redémarré depuis son affichage). Relancez la commande.",
    ),
    "discord.form_expired": (
        "This form is no longer open (Codev restarted, or it was sent already). Run the command again.",
        "Ce formulaire n'est plus ouvert (Codev a redémarré, ou il a déjà été envoyé). Relancez la commande.",
    ),
    "discord.choices": ("One of: {choices}", "Au choix : {choices}"),
    "discord.no_content_intent": (
        "Warning: Codev cannot read messages in this server's threads, because the Message Content "
        "intent is off for this bot. Replies in case threads would not be recorded. A server admin must "
        "turn on “Message Content Intent” under Bot in the Discord developer portal, then restart Codev.",
        "Attention : Codev ne peut pas lire les messages des fils de ce serveur, car l'intent « Message "
        "Content » est désactivé pour ce bot. Les réponses dans les fils des cas ne seraient pas "
        "enregistrées. Une personne administratrice doit activer « Message Content Intent » (rubrique Bot "
        "du portail développeur de Discord), puis redémarrer Codev.",
    ),
    "discord.dm_closed": (
        "{mention}, your direct messages are closed, so here is your private note:\n{text}",
        "{mention}, vos messages privés sont fermés ; voici donc votre note privée :\n{text}",
    ),
    "discord.news_thread": ("Codev: circle news", "Codev : nouvelles du cercle"),
    "discord.reply_not_recorded": (
        "Your reply {link} is still in the thread, but Codev could not record it: something went wrong "
        "on Codev's side. Please post it again in a moment.",
        "Votre réponse {link} est toujours dans le fil, mais Codev n'a pas pu l'enregistrer : un problème "
        "est survenu du côté de Codev. Publiez-la à nouveau dans un instant.",
    ),
    # `/codev` in the command picker (Discord allows at most 100 characters each). Subcommand and
    # option names stay English: they are what people type and what the docs show.
    "discord.slash.codev": ("Co-development circles", "Cercles de codéveloppement"),
    "discord.slash.help": ("What you can do here", "Ce que vous pouvez faire ici"),
    "discord.slash.setup": ("Set up a circle in this channel", "Créer un cercle dans ce canal"),
    "discord.slash.join": ("Join this channel's circle", "Rejoindre le cercle de ce canal"),
    "discord.slash.leave": ("Leave this channel's circle", "Quitter le cercle de ce canal"),
    "discord.slash.remove": (
        "Take a member out of the circle (facilitators)",
        "Retirer une personne du cercle (personnes animatrices)",
    ),
    "discord.slash.members": ("Who is in the circle", "Qui fait partie du cercle"),
    "discord.slash.submit": ("Bring a case to the circle", "Apporter un cas au cercle"),
    "discord.slash.status": ("Where the circle or a case stands", "Où en est le cercle ou un cas"),
    "discord.slash.advance": (
        "Move a case to its next phase (facilitators)",
        "Passer un cas à la phase suivante (personnes animatrices)",
    ),
    "discord.slash.extend": (
        "Give a case's phase more time (facilitators)",
        "Donner plus de temps à la phase d'un cas (personnes animatrices)",
    ),
    "discord.slash.pause": (
        "Pause a case, or the whole circle (facilitators)",
        "Mettre en pause un cas, ou tout le cercle (personnes animatrices)",
    ),
    "discord.slash.resume": (
        "Resume a case, or the whole circle (facilitators)",
        "Reprendre un cas, ou tout le cercle (personnes animatrices)",
    ),
    "discord.slash.withdraw": ("Withdraw your case", "Retirer votre cas"),
    "discord.slash.reassign": (
        "Give a case to another client (facilitators)",
        "Confier un cas à une autre personne cliente (personnes animatrices)",
    ),
    "discord.slash.queue": (
        "Who is client next; volunteer; swap two turns",
        "Qui est la prochaine personne cliente ; se proposer ; échanger deux tours",
    ),
    "discord.slash.meetings": ("The next meetings", "Les prochaines rencontres"),
    "discord.slash.schedule": (
        "Set the meetings, e.g. every 4 weeks on tuesday at 15:00",
        "Fixer les rencontres, ex. toutes les 4 semaines le mardi à 15:00",
    ),
    "discord.slash.update": (
        "Tell the circle how your action plan is going",
        "Donner au cercle des nouvelles de votre plan d'action",
    ),
    "discord.slash.export": ("Export a case record (Markdown)", "Exporter le compte rendu d'un cas (Markdown)"),
    "discord.slash.journal": ("Your private learning journal", "Votre journal d'apprentissage privé"),
    "discord.slash.settings": (
        "See or change the circle's settings (facilitators)",
        "Voir ou changer les réglages du cercle (personnes animatrices)",
    ),
    "discord.slash.forget_me": (
        "Erase your data from this server's circles",
        "Effacer vos données des cercles de ce serveur",
    ),
    "discord.slash.option.circle_name": ("The circle's name", "Le nom du cercle"),
    "discord.slash.option.language": (
        "The circle's language (by default, that of your Discord)",
        "La langue du cercle (par défaut, celle de votre Discord)",
    ),
    "discord.slash.option.timezone": (
        "An IANA time zone, e.g. America/Montreal",
        "Un fuseau horaire IANA, ex. America/Montreal",
    ),
    "discord.slash.option.case": (
        "Which case (by default, the one in progress)",
        "Quel cas (par défaut, celui en cours)",
    ),
    "discord.slash.option.extend_by": ("How much more, e.g. 2d or 36h", "Combien de temps de plus, ex. 2j ou 36h"),
    "discord.slash.option.new_client": ("The member who becomes the client", "La personne qui devient cliente"),
    "discord.slash.option.removed": ("The member to take out of the circle", "La personne à retirer du cercle"),
    "discord.slash.option.queue_action": (
        "Show the queue, volunteer, or swap two turns",
        "Voir la file, se proposer, ou échanger deux tours",
    ),
    "discord.slash.option.swap_first": ("To swap: the first member", "Pour échanger : la première personne"),
    "discord.slash.option.swap_second": ("To swap: the second member", "Pour échanger : la deuxième personne"),
    "discord.slash.option.rule": (
        "every N weeks on DAY at HH:MM | YYYY-MM-DD HH:MM | skip YYYY-MM-DD | clear",
        "toutes les N semaines le JOUR à HH:MM | AAAA-MM-JJ HH:MM | skip AAAA-MM-JJ | clear",
    ),
    "discord.slash.option.setting": (
        "Which setting, e.g. window.clarification",
        "Quel réglage, ex. window.clarification",
    ),
    "discord.slash.option.setting_value": (
        "Its new value, e.g. 2d, fr or yes",
        "Sa nouvelle valeur, ex. 2j, fr ou yes",
    ),
    "discord.slash.option.new_facilitator": (
        "With facilitator: the member who will facilitate",
        "Avec facilitator : la personne qui animera le cercle",
    ),
    # Language names are written in their own language, whatever the member's.
    "discord.slash.option.circle_report": (
        "Instead: the circle report (facilitators)",
        "À la place : le rapport du cercle (animation)",
    ),
    "discord.slash.option.journal_action": (
        "Write an entry, or read your journal",
        "Écrire une entrée, ou lire votre journal",
    ),
    "discord.slash.option.former_member": (
        "Facilitators: a member who left, to erase",
        "Animation : un membre parti, à effacer",
    ),
    "discord.slash.option.former_name": (
        "The name they went by, if the circle lacks it",
        "Le nom qu'il ou elle portait, si le cercle ne l'a pas",
    ),
    "discord.slash.option.delete_circle": (
        "Facilitators: delete the whole circle",
        "Animation : supprimer tout le cercle",
    ),
    "discord.slash.choice.write": ("write", "écrire"),
    "discord.slash.choice.list": ("list", "lire"),
    "discord.slash.choice.english": ("English", "English"),
    "discord.slash.choice.french": ("Français", "Français"),
    "discord.slash.choice.show": ("show", "voir"),
    "discord.slash.choice.volunteer": ("volunteer", "se proposer"),
    "discord.slash.choice.swap": ("swap", "échanger"),
}
