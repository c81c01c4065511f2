"""Texts of records and privacy: case exports, the circle report, journals, erasure, retention."""

from __future__ import annotations

RECORD_MESSAGES: dict[str, tuple[str, str]] = {
    # --- who ---------------------------------------------------------------------------
    "records.former_member": ("a former member ({number})", "un ancien membre ({number})"),
    "records.left_member": ("a member who left ({id})", "un membre parti ({id})"),
    "records.the_bot": ("Codev", "Codev"),
    # --- the case record ---------------------------------------------------------------
    "records.case_title": ("Case {number}: {title}", "Cas {number} : {title}"),
    "records.fact.circle": ("Circle: {name}", "Cercle : {name}"),
    "records.fact.client": ("Client: {who}", "Client·e : {who}"),
    "records.fact.kind": ("Kind: {kind}", "Nature : {kind}"),
    "records.fact.phase": ("Phase: {phase}", "Phase : {phase}"),
    "records.fact.opened": ("Opened: {at}", "Ouvert : {at}"),
    "records.fact.ended": ("Ended: {at}", "Terminé : {at}"),
    "records.prepared_for": (
        "Record prepared for {reader} on {at}; times are in {zone}. Confidential: what is said "
        "in the circle stays in the circle.",
        "Compte rendu préparé pour {reader} le {at} ; heures de {zone}. Confidentiel : ce qui se "
        "dit dans le cercle reste dans le cercle.",
    ),
    "records.case_purged": (
        "The contributions of this case were purged on {at} under the circle's retention setting ({count} removed).",
        "Les contributions de ce cas ont été purgées le {at} selon la durée de conservation du "
        "cercle ({count} supprimées).",
    ),
    "records.section.clarification": ("Exposé and clarification", "Exposé et clarification"),
    "records.section.contract": ("Contract", "Contrat"),
    "records.section.consultation": ("Consultation", "Consultation"),
    "records.section.action_plan": ("Action plan", "Plan d'action"),
    "records.section.learnings": ("Learnings", "Apprentissages"),
    "records.section.follow_up": ("Follow-up", "Suivi"),
    "records.section.closed": ("After the case closed", "Après la clôture du cas"),
    "records.section.withdrawn": ("After the case was withdrawn", "Après le retrait du cas"),
    "records.question": ("Question {number}", "Question {number}"),
    "records.answer_to": ("Answer to question {number}", "Réponse à la question {number}"),
    "records.answer_to_many": (
        "Answer to questions {first}–{last}",
        "Réponse aux questions {first} à {last}",
    ),
    "records.answer_to_two": (
        "Answer to questions {first} and {last}",
        "Réponse aux questions {first} et {last}",
    ),
    "records.advice_from": ("Advice from {who}", "Conseils donnés par {who}"),
    "records.offered_early": (
        "offered during clarification, held for the consultation",
        "proposé pendant la clarification, gardé pour la consultation",
    ),
    "records.out_of_role": ("outside the phase's rules", "hors des règles de la phase"),
    "records.kind.expose": ("Exposé", "Exposé"),
    "records.kind.question": ("Question", "Question"),
    "records.kind.answer": ("Answer", "Réponse"),
    "records.kind.contract": ("Contract", "Contrat"),
    "records.kind.acknowledgement": ("Acknowledgement", "Accusé de réception"),
    "records.kind.advice": ("Advice", "Conseil"),
    "records.kind.signal": ("Signal", "Signal"),
    "records.kind.plan": ("Action plan", "Plan d'action"),
    "records.kind.endorsement": ("Endorsement", "Approbation"),
    "records.kind.learning": ("Learning", "Apprentissage"),
    "records.kind.update": ("Update", "Nouvelles"),
    "records.kind.comment": ("Comment", "Commentaire"),
    "records.plan_status": ("Where the actions stand", "Où en sont les actions"),
    "records.action": ("Action {number}", "Action {number}"),
    "records.export_caption": (
        "The record of case {number} ({size} characters) is attached.",
        "Le compte rendu du cas {number} ({size} caractères) est joint.",
    ),
    "records.export_sent": (
        "The record of case {number} is on its way to you in a private message.",
        "Le compte rendu du cas {number} vous arrive en message privé.",
    ),
    "records.error.export_refused": (
        "Only the client of case {number} and the circle's facilitators may export its record.",
        "Seuls la personne cliente du cas {number} et les personnes animatrices du cercle peuvent "
        "en exporter le compte rendu.",
    ),
    "records.error.report_refused": (
        "Only the circle's facilitators may export the circle report.",
        "Seules les personnes animatrices du cercle peuvent exporter le rapport du cercle.",
    ),
    "records.error.export_usage": (
        "Usage: /codev export [case number] or /codev export circle.",
        "Usage : /codev export [numéro de cas] ou /codev export circle.",
    ),
}

RECORD_MESSAGES.update(
    {
        # --- the learning journal -------------------------------------------------------
        "field.journal": ("journal entry", "entrée du journal"),
        "records.journal.form_title": ("Learning journal", "Journal d'apprentissage"),
        "records.journal.field_entry": ("What I learned, for my own practice", "Ce que j'ai appris, pour ma pratique"),
        "records.journal.field_case": ("Case number", "Numéro de cas"),  # forms mark it optional
        "records.journal.saved_without_case": (
            "Saved in your learning journal, without a case: this circle has no case {number}. "
            "Only you can read it: /codev journal list.",
            "Enregistré dans votre journal d'apprentissage, sans cas : ce cercle n'a pas de cas "
            "{number}. Vous seul·e pouvez le lire : /codev journal list.",
        ),
        "records.journal.saved": (
            "Saved in your learning journal. Only you can read it: /codev journal list.",
            "Enregistré dans votre journal d'apprentissage. Vous seul·e pouvez le lire : /codev journal list.",
        ),
        "records.journal.title": (
            "*Your learning journal* — {circle} (private: only you can read it; times in {zone})",
            "*Votre journal d'apprentissage* — {circle} (privé : vous seul·e pouvez le lire ; heures de {zone})",
        ),
        "records.journal.case": ("case {number}", "cas {number}"),
        "records.journal.no_entries": (
            "No entries yet: /codev journal writes one.",
            "Aucune entrée : /codev journal en écrit une.",
        ),
        "records.journal.learnings": ("*Your learnings from the cases*", "*Vos apprentissages dans les cas*"),
        "records.journal.no_learnings": ("None yet.", "Aucun pour l'instant."),
        "records.journal.attached": (
            "Your learning journal ({size} characters) is attached.",
            "Votre journal d'apprentissage ({size} caractères) est joint.",
        ),
        "records.journal.on_its_way": (
            "Your journal is long: it is on its way to you as a file, in a private message.",
            "Votre journal est long : il vous arrive sous forme de fichier, en message privé.",
        ),
        "records.error.journal_private": (
            "A learning journal is private: only its author can read it, facilitators included.",
            "Un journal d'apprentissage est privé : seul·e son auteur·rice peut le lire, "
            "y compris face aux personnes animatrices.",
        ),
        "records.error.journal_closed": (
            "You left this circle: your journal takes no new entries, but you can still read it "
            "(/codev journal list) or erase your data (/codev forget-me).",
            "Vous avez quitté ce cercle : votre journal ne prend plus de nouvelles entrées, mais vous "
            "pouvez encore le lire (/codev journal list) ou effacer vos données (/codev forget-me).",
        ),
        "records.error.journal_usage": (
            "Usage: /codev journal (write an entry) or /codev journal list (read yours).",
            "Usage : /codev journal (écrire une entrée) ou /codev journal list (lire le vôtre).",
        ),
        "records.button.circle_report": ("Send me the circle report", "M'envoyer le rapport du cercle"),
        "records.report_sent": (
            "The circle report is on its way to you in a private message (Markdown, and CSV for the table).",
            "Le rapport du cercle vous arrive en message privé (Markdown, et CSV pour le tableau).",
        ),
    }
)

RECORD_MESSAGES.update(
    {
        # --- erasure ----------------------------------------------------------------------
        "records.button.forget": ("Yes, erase", "Oui, effacer"),
        "records.button.delete_circle": ("Yes, delete the circle", "Oui, supprimer le cercle"),
        "records.confirm_self": (
            "This erases your data in this circle and in every other circle of this workspace you "
            "took part in: your learning journals and personal settings are deleted, you leave the "
            "circles, and your name on your contributions becomes "
            '"a former member" so the cases still read sensibly. It cannot be undone. Confirm?',
            "Cela efface vos données dans ce cercle et dans tout autre cercle de cet espace auquel "
            "vous avez participé : vos journaux d'apprentissage et vos réglages personnels sont "
            "supprimés, vous quittez les cercles, et votre nom sur vos contributions "
            "devient « un ancien membre » pour que les cas restent lisibles. C'est irréversible. "
            "Confirmez-vous ?",
        ),
        "records.confirm_member": (
            "This erases the data of {who}, who left the circle: their journal is deleted and "
            'their name on contributions becomes "a former member". It cannot be undone. Confirm?',
            "Cela efface les données de {who}, qui a quitté le cercle : son journal est supprimé et "
            "son nom sur les contributions devient « un ancien membre ». C'est irréversible. "
            "Confirmez-vous ?",
        ),
        "records.confirm_circle": (
            "This deletes the circle *{name}* and all its data: cases, contributions, journals "
            "and reports. It cannot be undone. Confirm?",
            "Cela supprime le cercle *{name}* et toutes ses données : cas, contributions, journaux "
            "et rapports. C'est irréversible. Confirmez-vous ?",
        ),
        "records.erased_self": (
            "Your data was erased. Thank you for the time you gave the circle.",
            "Vos données ont été effacées. Merci pour le temps que vous avez donné au cercle.",
        ),
        "records.erased_member": ("That member's data was erased.", "Les données de ce membre ont été effacées."),
        "records.member_erased": (
            'A member left the circle and their data was erased; their contributions now read "a former member".',
            "Un membre a quitté le cercle et ses données ont été effacées ; ses contributions "
            "indiquent désormais « un ancien membre ».",
        ),
        "records.circle_deleted": (
            "The circle and all its data were deleted.",
            "Le cercle et toutes ses données ont été supprimés.",
        ),
        "records.error.facilitators_only": (
            "Only the circle's facilitators may do that.",
            "Seules les personnes animatrices du cercle peuvent faire cela.",
        ),
        "records.error.nothing_kept": (
            "This circle keeps nothing of {who}: there is nothing to erase. Name them as the app shows them (@name).",
            "Ce cercle ne garde rien de {who} : il n'y a rien à effacer. "
            "Nommez la personne comme l'app l'affiche (@nom).",
        ),
        "records.error.still_member": (
            "{who} is still a member: only they can erase their data (/codev forget-me).",
            "{who} est encore membre : seule cette personne peut effacer ses données (/codev forget-me).",
        ),
        "records.error.open_case": (
            "Case {number} is still in progress with this person as client: withdraw or close it first.",
            "Le cas {number} est en cours avec cette personne comme cliente : retirez-le ou clôturez-le d'abord.",
        ),
        "records.error.open_case_elsewhere": (
            "Your case {number} in the circle {circle} is still in progress: withdraw or close it first.",
            "Votre cas {number} dans le cercle {circle} est encore en cours : retirez-le ou clôturez-le d'abord.",
        ),
        "records.error.last_facilitator_elsewhere": (
            "You are the only facilitator of the circle {circle}: name another one there first.",
            "Vous êtes la seule personne animatrice du cercle {circle} : nommez-en une autre là-bas d'abord.",
        ),
        "records.error.last_facilitator": (
            "You are the circle's only facilitator: name another one first (/codev settings facilitator @member).",
            "Vous êtes la seule personne animatrice du cercle : nommez-en une autre d'abord "
            "(/codev settings facilitator @membre).",
        ),
    }
)

RECORD_MESSAGES.update(
    {
        # --- the circle report ------------------------------------------------------------
        "records.report.title": ("Circle report: {name}", "Rapport du cercle : {name}"),
        "records.report.prepared": (
            "Prepared for {reader} on {at}; times are in {zone}. Confidential.",
            "Préparé pour {reader} le {at} ; heures de {zone}. Confidentiel.",
        ),
        "records.report.consultations": ("Consultations", "Consultations"),
        "records.report.held": (
            "Consultations: {count} ({closed} closed, {withdrawn} withdrawn, {active} in progress).",
            "Consultations : {count} ({closed} terminées, {withdrawn} retirées, {active} en cours).",
        ),
        "records.report.case_col.case": ("Case", "Cas"),
        "records.report.case_col.client": ("Client", "Client·e"),
        "records.report.case_col.opened": ("Opened", "Ouvert"),
        "records.report.case_col.phase": ("Phase", "Phase"),
        "records.report.case_col.contributions": ("Contributions", "Contributions"),
        "records.report.case_col.settled": ("Actions settled", "Actions réglées"),
        "records.report.case_col.updates": ("Meetings with an update before", "Rencontres précédées de nouvelles"),
        "records.report.members": ("Members", "Membres"),
        "records.report.col.member": ("Member", "Membre"),
        # Cases brought, withdrawn ones too; the rotation below counts turns taken.
        "records.report.col.as_client": ("Cases brought", "Cas apportés"),
        "records.report.col.settled": ("Actions settled", "Actions réglées"),
        "records.report.col.updates": ("Meetings with an update before", "Rencontres précédées de nouvelles"),
        "records.report.members_note": (
            "Phase columns count each member's contributions in that phase. Follow-up: actions "
            "settled out of those planned, and meetings since the plan that an update preceded.",
            "Les colonnes de phase comptent les contributions de chaque membre dans la phase. Suivi : "
            "actions réglées sur celles prévues, et rencontres depuis le plan précédées de nouvelles.",
        ),
        "records.report.rotation": ("Rotation so far", "Rotation jusqu'ici"),
        "records.report.no_turns": (
            "Nobody has had a turn as client yet (a case withdrawn before its consultation gives its turn back).",
            "Personne n'a encore eu son tour comme client·e (un cas retiré avant sa consultation rend son tour).",
        ),
        "records.report.next": ("Next in the queue: {queue}", "Prochains dans la file : {queue}"),
        "records.report.privacy": ("Purges and erasures", "Purges et effacements"),
        "records.report.purge": (
            "Case {number}: {count} contributions purged on {at} (retention period)",
            "Cas {number} : {count} contributions purgées le {at} (durée de conservation)",
        ),
        "records.report.erasure": (
            "{at}: a member erased their data",
            "{at} : un membre a effacé ses données",
        ),
        "records.report.erasure_by_facilitator": (
            "{at}: a facilitator erased the data of a member who had left",
            "{at} : une personne animatrice a effacé les données d'un membre parti",
        ),
        "records.report.no_privacy_events": ("None.", "Aucun."),
        "records.report.caption": (
            "The circle report ({size} characters) is attached.",
            "Le rapport du cercle ({size} caractères) est joint.",
        ),
        "records.report.csv_caption": (
            "The per-member table, as CSV.",
            "Le tableau par membre, en CSV.",
        ),
    }
)

RECORD_MESSAGES["records.purged_text"] = ("[purged]", "[purgé]")
