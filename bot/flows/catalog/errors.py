"""Refusals: why a command was not carried out, and what to do instead."""

from __future__ import annotations

ERROR_MESSAGES: dict[str, tuple[str, str]] = {
    # Names of the fields that refusals mention.
    "field.action": ("action", "action"),
    "field.actions": ("actions", "actions"),
    "field.command": ("command", "commande"),
    "field.comment": ("comment", "commentaire"),
    "field.context": ("context", "contexte"),
    "field.contract": ("contract", "contrat"),
    "field.indicator": ("indicator", "indicateur"),
    "field.learning": ("learning", "apprentissage"),
    "field.name": ("name", "nom"),
    "field.note": ("note", "note"),
    "field.question": ("question", "question"),
    "field.reply": ("reply", "réponse"),
    "field.stakes": ("stakes", "enjeux"),
    "field.synthesis": ("synthesis", "synthèse"),
    "field.title": ("title", "titre"),
    "field.tried": ("what you tried", "déjà essayé"),
    "field.kind": ("kind", "type"),
    "field.signal": ("signal", "signal"),
    "field.status": ("status", "état"),
    "field.item": ("action number", "numéro d'action"),
    "field.language": ("language", "langue"),
    "field.timezone": ("time zone", "fuseau horaire"),
    "error.empty_text": ("The {field} is empty.", "Le champ {field} est vide."),
    "error.text_too_long": (
        "The {field} is {length} characters long; the limit is {limit}. Please shorten it.",
        "Le champ {field} fait {length} caractères ; la limite est de {limit}. Raccourcissez-le.",
    ),
    "error.reply_too_long": (
        "Your reply is {length} characters long; the limit is {limit}. Please shorten it or "
        "split it in several replies.",
        "Votre réponse fait {length} caractères ; la limite est de {limit}. Raccourcissez-la "
        "ou répartissez-la en plusieurs réponses.",
    ),
    "error.date_too_far": (
        "{value} is more than {years} years away: meetings are planned nearer than that. Nothing was changed.",
        "Le {value} est à plus de {years} ans : les rencontres se planifient plus près. Rien n'a été changé.",
    ),
    "error.bad_date": (
        "'{value}' is not a date I can read; write it as YYYY-MM-DD.",
        "« {value} » n'est pas une date lisible ; écrivez-la sous la forme AAAA-MM-JJ.",
    ),
    "error.date_in_past": ("{value} is in the past.", "{value} est dans le passé."),
    "error.plan_needs_items": (
        "An action plan needs 1 to {limit} actions.",
        "Un plan d'action compte de 1 à {limit} actions.",
    ),
    "error.plan_too_many_items": (
        "The plan has {count} actions; keep it to {limit} at most.",
        "Le plan compte {count} actions ; gardez-en {limit} au plus.",
    ),
    "error.bad_status": (
        "'{value}' is not a status; use done, partly, dropped or changed.",
        "« {value} » n'est pas un état ; utilisez fait, partiel, abandonné ou modifié.",
    ),
    "error.bad_duration": (
        "'{value}' is not a duration I can read; write for example 2d or 36h (at most 30 days).",
        "« {value} » n'est pas une durée lisible ; écrivez par exemple 2j ou 36h (30 jours au plus).",
    ),
    "error.not_member": (
        "You are not a member of this circle. Use /codev join to join it.",
        "Vous n'êtes pas membre de ce cercle. Utilisez /codev join pour le rejoindre.",
    ),
    "error.case_over": ("Case {number} is over.", "Le cas {number} est terminé."),
    "error.wrong_phase": (
        "Not now: the case is in the {phase} phase. This can be done during: {allowed}.",
        "Pas maintenant : le cas est en phase {phase}. Cela se fait pendant : {allowed}.",
    ),
    "error.not_your_role": (
        "Only {role} can do this now.",
        "Cela revient à {role} maintenant.",
    ),
    "error.no_contract_yet": (
        "There is no contract to acknowledge yet.",
        "Il n'y a pas encore de contrat à approuver.",
    ),
    "error.nothing_to_keep": (
        "There is no advice of yours to keep here.",
        "Il n'y a pas de conseil de votre part à garder ici.",
    ),
    "error.advice_no_longer_held": (
        "That advice is no longer held for you. The consultation is open: post it in the case's thread now.",
        "Ce conseil n'est plus gardé pour vous. La consultation est ouverte : publiez-le dès maintenant "
        "dans le fil du cas.",
    ),
    "error.already_kept": ("That advice is already kept.", "Ce conseil est déjà gardé."),
    "error.no_plan_yet": ("There is no action plan yet.", "Il n'y a pas encore de plan d'action."),
    "error.already_endorsed": ("You already endorsed this plan.", "Vous avez déjà approuvé ce plan."),
    "error.no_case_to_update": (
        "You have no case in progress, so no action plan to update.",
        "Vous n'avez pas de cas en cours, donc pas de plan d'action à mettre à jour.",
    ),
    "error.no_such_item": (
        "There is no action {item}; the plan has {count}.",
        "Il n'y a pas d'action {item} ; le plan en compte {count}.",
    ),
    "error.already_paused": ("Case {number} is already paused.", "Le cas {number} est déjà en pause."),
    "error.not_paused": ("Case {number} is not paused.", "Le cas {number} n'est pas en pause."),
    "error.case_resume_while_circle_paused": (
        "Case {number} stays paused while the circle is: /codev resume starts the circle again, with the cases "
        "paused with it; a case paused on its own can be resumed after that.",
        "Le cas {number} reste en pause tant que le cercle l'est : /codev resume relance le cercle, avec les cas "
        "mis en pause avec lui ; un cas mis en pause à part peut être relancé ensuite.",
    ),
    "error.no_deadline": ("This phase has no deadline.", "Cette phase n'a pas d'échéance."),
    "error.unknown_member": (
        "{who} is not a member of this circle.",
        "{who} n'est pas membre de ce cercle.",
    ),
    "error.already_client": ("{who} is already the client.", "{who} est déjà la personne cliente."),
    "error.circle_paused": ("The circle is paused.", "Le cercle est en pause."),
    "error.circle_not_paused": ("The circle is not paused.", "Le cercle n'est pas en pause."),
    "error.remove_yourself": (
        "To leave the circle yourself, use /codev leave.",
        "Pour quitter vous-même le cercle : /codev leave.",
    ),
    "error.remove_usage": (
        "Use: /codev remove @member. Nothing was done.",
        "Utilisation : /codev remove @membre. Rien n'a été fait.",
    ),
    "error.remove_with_open_case": (
        "{who} has case {number} in progress: hand it to someone else (/codev reassign {number} @member) "
        "or close it first.",
        "{who} a le cas {number} en cours : confiez-le à quelqu'un d'autre (/codev reassign {number} @membre) "
        "ou clôturez-le d'abord.",
    ),
    "error.remove_with_late_case": (
        "{who} has case {number} in progress, too far along to change hands: close it first "
        "(/codev advance {number} moves it on to the end), or ask {who} to withdraw it.",
        "{who} a le cas {number} en cours, trop avancé pour changer de mains : clôturez-le d'abord "
        "(/codev advance {number} le mène jusqu'à la fin), ou demandez à {who} de le retirer.",
    ),
    "error.circle_already_paused": (
        "The circle is already paused; /codev resume starts it again.",
        "Le cercle est déjà en pause ; /codev resume le relance.",
    ),
    "error.already_next": (
        "You are already first in the queue: you are the next client.",
        "Vous êtes déjà en tête de la file : vous serez la prochaine personne cliente.",
    ),
    "error.case_already_open": (
        "You already have case {number} in progress; one case at a time.",
        "Vous avez déjà le cas {number} en cours ; un cas à la fois.",
    ),
    "error.no_consultants": (
        "A case needs at least one consultant: invite members with /codev join first.",
        "Un cas a besoin d'au moins un·e consultant·e : invitez d'abord des membres avec /codev join.",
    ),
    "error.no_consultants_yet": (
        "A case needs at least one consultant, and those who joined have not accepted the charter yet: {pending}.",
        "Un cas a besoin d'au moins un·e consultant·e, et les personnes qui se sont jointes n'ont pas "
        "encore accepté la charte : {pending}.",
    ),
    "error.already_member": ("You are already a member of this circle.", "Vous êtes déjà membre de ce cercle."),
    "error.join_first": ("Use /codev join first.", "Utilisez d'abord /codev join."),
    "error.last_facilitator": (
        "You are the only facilitator: make someone else facilitator first (/codev settings facilitator @someone).",
        "Vous êtes seul·e à animer : désignez d'abord une autre personne (/codev settings facilitator @quelqu'un).",
    ),
    "error.no_setting": ("No setting was given.", "Aucun réglage n'a été donné."),
    "error.bad_retention": (
        "'{value}' is not a retention: write a number of days from 1 to 3650, or keep.",
        "« {value} » n'est pas une durée de conservation : écrivez un nombre de jours de 1 à 3650, ou keep.",
    ),
    "error.meeting_exists": ("{value} is already listed.", "{value} figure déjà dans la liste."),
    "error.already_skipped": ("{value} is already skipped.", "{value} est déjà sauté."),
    "error.no_meeting_that_day": (
        "No meeting falls on {value}: there is nothing to skip.",
        "Aucune rencontre ne tombe le {value} : il n'y a rien à sauter.",
    ),
    "error.swap_own_turn": (
        "You can only swap your own turn (facilitators can swap anyone's).",
        "Vous ne pouvez échanger que votre propre tour (l'animation peut échanger ceux de tous).",
    ),
    "error.digest_before_nudges": (
        "The digest would go out before the nudges: digest_lead ({digest}) may not be longer than "
        "nudge_lead ({nudge}), since the digest reports the updates the nudges ask for.",
        "Le résumé partirait avant les rappels : digest_lead ({digest}) ne peut pas dépasser "
        "nudge_lead ({nudge}), puisque le résumé fait le point sur les nouvelles que les rappels demandent.",
    ),
    "error.swap_not_yours": (
        "This swap was asked of someone else: only they can accept it.",
        "Cet échange a été proposé à une autre personne : elle seule peut l'accepter.",
    ),
    "error.swap_queue_changed": (
        "The queue has changed since {who} asked to swap: nothing was swapped. Ask again if you both still want to.",
        "La file a changé depuis la proposition de {who} : rien n'a été échangé. "
        "Reposez la question si l'échange vous convient toujours.",
    ),
    "error.swap_done": ("You already swapped turns with {who}.", "Vous avez déjà échangé votre tour avec {who}."),
    "error.swap_same": (
        "Name two different members to swap turns ({who} was named twice).",
        "Nommez deux personnes différentes pour échanger leurs tours ({who} est nommée deux fois).",
    ),
    "error.already_facilitator": ("{who} is already a facilitator.", "{who} anime déjà le cercle."),
    "error.bad_timezone": (
        "'{value}' is not a time zone I know; use a name like America/Montreal or Europe/Paris.",
        "« {value} » n'est pas un fuseau horaire connu ; utilisez un nom comme America/Montreal ou Europe/Paris.",
    ),
    "error.bad_choice": (
        "'{value}' is not one of: {choices}.",
        "« {value} » ne fait pas partie de : {choices}.",
    ),
    "error.bad_number": (
        "'{value}' must be a whole number from {low} to {high}.",
        "« {value} » doit être un nombre entier de {low} à {high}.",
    ),
    "error.unknown_setting": (
        "'{name}' is not a setting. Settings: {known}.",
        "« {name} » n'est pas un réglage. Réglages : {known}.",
    ),
}
