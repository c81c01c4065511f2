"""Texts of the command surface: help, queries, forms and their refusals."""

from __future__ import annotations

_MEMBER_HELP_EN = (
    "*{name}* — co-development circle. Commands:\n"
    "• /codev submit: bring a case (problem, concern or project)\n"
    "• /codev status [case]: where things stand\n"
    "• /codev members, /codev queue, /codev meetings\n"
    "• /codev queue volunteer, /codev queue swap @you @them (once they accept): who is client next\n"
    "• /codev update: report on your action plan\n"
    "• /codev withdraw [case]: withdraw your case\n"
    "• /codev export [case]: the record of your case; /codev journal [list]: your private learning journal\n"
    "• /codev forget-me: erase your data\n"
    "• /codev leave\n"
    "In a case's thread, your replies are your questions, answers, contract, advice, plan, "
    "learnings and updates, depending on the phase; the card's buttons do the rest."
)
_MEMBER_HELP_FR = (
    "*{name}* — cercle de codéveloppement. Commandes :\n"
    "• /codev submit : apporter un cas (problème, préoccupation ou projet)\n"
    "• /codev status [cas] : où en sont les choses\n"
    "• /codev members, /codev queue, /codev meetings\n"
    "• /codev queue volunteer, /codev queue swap @vous @autre (avec son accord) : "
    "qui est la prochaine personne cliente\n"
    "• /codev update : donner des nouvelles de votre plan d'action\n"
    "• /codev withdraw [cas] : retirer votre cas\n"
    "• /codev export [cas] : le compte rendu de votre cas ; /codev journal [list] : votre journal "
    "d'apprentissage privé\n"
    "• /codev forget-me : effacer vos données\n"
    "• /codev leave\n"
    "Dans le fil d'un cas, vos réponses sont vos questions, réponses, contrat, conseils, plan, "
    "apprentissages et nouvelles, selon la phase ; les boutons de la carte font le reste."
)

SERVICE_MESSAGES: dict[str, tuple[str, str]] = {
    "help.no_circle": (
        "No circle here yet. A facilitator starts one with /codev setup [name] [en|fr] [time zone].",
        "Aucun cercle ici pour l'instant. Une personne animatrice le crée avec "
        "/codev setup [nom] [en|fr] [fuseau horaire].",
    ),
    "help.outsider": (
        "*{name}* is a co-development circle. Use /codev join to join it.",
        "*{name}* est un cercle de codéveloppement. Utilisez /codev join pour le rejoindre.",
    ),
    "help.member": (_MEMBER_HELP_EN, _MEMBER_HELP_FR),
    "help.facilitator": (
        "As a facilitator:\n"
        "• /codev advance|pause|resume|extend [case] [2d]: guard the process\n"
        "• /codev reassign [case] @member: hand a case to another client\n"
        "• /codev remove @member: take someone out of the circle\n"
        "• /codev pause, /codev resume (no case): pause the whole circle\n"
        "• /codev schedule every 4 weeks on tuesday at 15:00 | YYYY-MM-DD HH:MM | skip YYYY-MM-DD | clear\n"
        "• /codev settings [name value], /codev settings facilitator @member\n"
        "• /codev export [case] | circle: a case record, the circle report (Markdown and CSV)\n"
        "• /codev forget-me @member (who left) | circle: erase a former member's data, delete the circle",
        "Pour l'animation :\n"
        "• /codev advance|pause|resume|extend [cas] [2j] : veiller au processus\n"
        "• /codev reassign [cas] @membre : confier un cas à une autre personne cliente\n"
        "• /codev remove @membre : retirer une personne du cercle\n"
        "• /codev pause, /codev resume (sans cas) : mettre tout le cercle en pause\n"
        "• /codev schedule every 4 weeks on tuesday at 15:00 | AAAA-MM-JJ HH:MM | skip AAAA-MM-JJ | clear\n"
        "• /codev settings [nom valeur], /codev settings facilitator @membre\n"
        "• /codev export [cas] | circle : le compte rendu d'un cas, le rapport du cercle (Markdown et CSV)\n"
        "• /codev forget-me @membre (parti) | circle : effacer les données d'un ancien membre, supprimer le cercle",
    ),
    "help.short": (
        "Try /codev help. Commands: help, setup, join, leave, members, submit, status, advance, "
        "extend, pause, resume, withdraw, reassign, queue, meetings, schedule, update, settings, export, "
        "journal, forget-me.",
        "Essayez /codev help. Commandes : help, setup, join, leave, members, submit, status, "
        "advance, extend, pause, resume, withdraw, reassign, queue, meetings, schedule, update, settings, "
        "export, journal, forget-me.",
    ),
    "members.list": (
        "Members ({count}):\n{members}\nWaiting to accept the charter: {pending}",
        "Membres ({count}) :\n{members}\nEn attente d'accepter la charte : {pending}",
    ),
    "queue.list": (
        "Next clients, in order:\n{queue}\nCases brought so far: {turns}",
        "Prochaines personnes clientes, dans l'ordre :\n{queue}\nCas apportés jusqu'ici : {turns}",
    ),
    "meetings.list": (
        "Next meetings ({zone}):\n{meetings}\nSkipped: {skipped}",
        "Prochaines rencontres ({zone}) :\n{meetings}\nDates sautées : {skipped}",
    ),
    "settings.list": (
        "Settings: language={language}, timezone={timezone}, windows: {windows}, "
        "client_interaction={client_interaction}, facilitators_consult={facilitators_consult}, "
        "nudge_lead={nudge_lead}, digest_lead={digest_lead}, followup_meetings={followup_meetings}, "
        "retention_days={retention}.",
        "Réglages : language={language}, timezone={timezone}, fenêtres : {windows}, "
        "client_interaction={client_interaction}, facilitators_consult={facilitators_consult}, "
        "nudge_lead={nudge_lead}, digest_lead={digest_lead}, followup_meetings={followup_meetings}, "
        "retention_days={retention}.",
    ),
    "settings.unchanged": (
        "The settings already say so: nothing was changed.",
        "Les réglages disent déjà cela : rien n'a été changé.",
    ),
    "settings.how_to_change": (
        "Change one with /codev settings NAME VALUE (windows: window.clarification 2d).",
        "Pour en changer un : /codev settings NOM VALEUR (fenêtres : window.clarification 2j).",
    ),
    "settings.facilitators_change": (
        "A facilitator of the circle can change them.",
        "Une personne animatrice du cercle peut les changer.",
    ),
    "status.circle": (
        "*{name}*\nCases in flight:\n{cases}\nNext client: {next_client}\nNext meeting: {next_meeting}",
        "*{name}*\nCas en cours :\n{cases}\nProchaine personne cliente : {next_client}\n"
        "Prochaine rencontre : {next_meeting}",
    ),
    "status.case_line": ("• Case {number}: {title} ({phase})", "• Cas {number} : {title} ({phase})"),
    "status.no_cases": ("none", "aucun"),
    "status.waiting_for": ("Waiting for: {who}", "En attente de : {who}"),
    # Forms
    "form.submit.title": ("Bring a case", "Apporter un cas"),
    "form.submit.button": ("Submit", "Soumettre"),
    "form.setup.title": ("Set up a circle", "Créer un cercle"),
    "form.setup.button": ("Create", "Créer"),
    "form.send": ("Send", "Envoyer"),
    "form.contract.title": ("Contract, case {number}", "Contrat, cas {number}"),
    "form.plan.title": ("Plan, case {number}", "Plan, cas {number}"),
    "form.learning.title": ("Learning, case {number}", "Apprentissage, cas {number}"),
    "form.reformulate.title": ("Reformulate? {number}", "Reformuler ? {number}"),
    "form.signal.title": ("Signal, case {number}", "Signal, cas {number}"),
    "form.update.title": ("Update, case {number}", "Nouvelles, cas {number}"),
    "form.field.kind": ("Kind", "Type"),
    "form.field.title": ("Title", "Titre"),
    "form.field.context": ("Context: the situation", "Contexte : la situation"),
    "form.field.stakes": ("Stakes: what matters", "Enjeux : ce qui compte"),
    "form.field.tried": ("What you tried so far", "Ce que vous avez déjà essayé"),
    "form.field.question": ("Your question to the circle", "Votre question au cercle"),
    "form.field.name": ("Circle name", "Nom du cercle"),
    "form.field.language": ("Language", "Langue"),
    "form.field.timezone": ("Time zone (e.g. America/Montreal)", "Fuseau horaire (ex. America/Montreal)"),
    "form.field.contract": ("The help you want from the group", "L'aide que vous attendez du groupe"),
    "form.field.synthesis": ("Synthesis: what you take from the advice", "Synthèse : ce que vous retenez"),
    "form.field.actions": (
        "1 to 5 actions, one per line, optional date (by YYYY-MM-DD)",
        "1 à 5 actions, une par ligne, date facultative (avant AAAA-MM-JJ)",
    ),
    "form.field.learning": ("What you learned for your own practice", "Ce que vous avez appris pour votre pratique"),
    "form.field.comment": ("What should be reformulated", "Ce qui devrait être reformulé"),
    "form.field.signal": ("Signal", "Signal"),
    "form.field.note": ("Note", "Note"),
    "form.field.item": ("Action", "Action"),
    "form.field.status": ("Status", "État"),
    # Refusals of the command surface
    "error.unknown_subcommand": ("'{sub}' is not a /codev command.", "« {sub} » n'est pas une commande /codev."),
    "error.no_circle": (
        "There is no circle in this channel. A facilitator can start one with /codev setup.",
        "Il n'y a pas de cercle dans ce canal. Une personne animatrice peut le créer avec /codev setup.",
    ),
    "error.circle_exists": (
        "This channel already hosts the circle *{name}*.",
        "Ce canal accueille déjà le cercle *{name}*.",
    ),
    "error.which_case": (
        "Several cases are in progress: give the case number after the command, e.g. 3 or #3.",
        "Plusieurs cas sont en cours : donnez le numéro du cas après la commande, ex. 3 ou #3.",
    ),
    "error.no_active_case": ("No case is in progress.", "Aucun cas n'est en cours."),
    "error.case_gone": (
        "This case is no longer in this circle's records.",
        "Ce cas ne figure plus dans les archives de ce cercle.",
    ),
    "error.charter_pending": (
        "Accept the circle's charter first: its message has the button (/codev join shows it again).",
        "Acceptez d'abord la charte du cercle : son message porte le bouton (/codev join l'affiche de nouveau).",
    ),
    "error.volunteer_with_open_case": (
        "Your case {number} is still in progress: volunteer again once it is over.",
        "Votre cas {number} est encore en cours : proposez-vous de nouveau une fois qu'il sera terminé.",
    ),
    "error.unknown_case": ("There is no case {number} in this circle.", "Il n'y a pas de cas {number} dans ce cercle."),
    "error.bad_time": (
        "'{value}' is not a time I can read; write it as HH:MM.",
        "« {value} » n'est pas une heure lisible ; écrivez-la sous la forme HH:MM.",
    ),
    "error.schedule_usage": (
        "Use: /codev schedule every 4 weeks on tuesday at 15:00 [from YYYY-MM-DD], "
        "/codev schedule YYYY-MM-DD HH:MM, /codev schedule skip YYYY-MM-DD, or /codev schedule clear.",
        "Utilisez : /codev schedule every 4 weeks on tuesday at 15:00 [from AAAA-MM-JJ], "
        "/codev schedule AAAA-MM-JJ HH:MM, /codev schedule skip AAAA-MM-JJ, ou /codev schedule clear.",
    ),
    "error.queue_usage": (
        "Use: /codev queue, /codev queue volunteer, or /codev queue swap @a @b.",
        "Utilisez : /codev queue, /codev queue volunteer, ou /codev queue swap @a @b.",
    ),
    "error.settings_usage": (
        "Use: /codev settings, /codev settings NAME VALUE, or /codev settings facilitator @member.",
        "Utilisez : /codev settings, /codev settings NOM VALEUR, ou /codev settings facilitator @membre.",
    ),
    "error.not_a_case_number": (
        "'{value}' is not a case number: write it as 3 or #3.",
        "« {value} » n'est pas un numéro de cas : écrivez-le 3 ou #3.",
    ),
    "error.takes_no_words": (
        "Use: /codev {sub}, with nothing after it. Nothing was done.",
        "Utilisez : /codev {sub}, sans rien après. Rien n'a été fait.",
    ),
    "error.case_command_usage": ("Use: /codev {sub} [case].", "Utilisez : /codev {sub} [cas]."),
    "error.extend_usage": ("Use: /codev extend [case] 2d.", "Utilisez : /codev extend [cas] 2j."),
    "error.reassign_usage": ("Use: /codev reassign [case] @member.", "Utilisez : /codev reassign [cas] @membre."),
    "error.leave_with_open_case": (
        "Your case {number} is still open: close or withdraw it before leaving.",
        "Votre cas {number} est encore ouvert : clôturez-le ou retirez-le avant de partir.",
    ),
    "error.member_has_open_case": (
        "{who} already has case {number} in progress; one case at a time.",
        "{who} a déjà le cas {number} en cours ; un cas à la fois.",
    ),
    "error.unknown_form": ("That form is not known.", "Ce formulaire est inconnu."),
    "error.unknown_action": ("That action is not known.", "Cette action est inconnue."),
    "inbox.answer_after_restart": (
        "Codev restarted after receiving what you sent in <#{channel}> and applied it once back. Its answer:\n{answer}",
        "Codev a redémarré après avoir reçu ce que vous avez envoyé dans <#{channel}> et l'a "
        "appliqué à son retour. Sa réponse :\n{answer}",
    ),
    "inbox.form_after_restart": (
        "Codev restarted after receiving your command in <#{channel}>, and the form it opens can no "
        "longer be shown: please run the command again.",
        "Codev a redémarré après avoir reçu votre commande dans <#{channel}>, et le formulaire "
        "qu'elle ouvre ne peut plus s'afficher : relancez la commande.",
    ),
    "inbox.lost_after_restart": (
        "Codev restarted after receiving what you sent in <#{channel}>, and could not record it "
        "once back. It was not recorded: please send it again.",
        "Codev a redémarré après avoir reçu ce que vous avez envoyé dans <#{channel}>, et n'a pas "
        "pu l'enregistrer à son retour. Rien n'a été enregistré : envoyez-le à nouveau.",
    ),
}
