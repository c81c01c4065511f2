"""Texts of a consultation: phases, cards, buttons, acts and reminders."""

from __future__ import annotations

CASE_MESSAGES: dict[str, tuple[str, str]] = {
    # Phases
    "phase.clarification": ("Clarification", "Clarification"),
    "phase.contract": ("Contract", "Contrat"),
    "phase.consultation": ("Consultation", "Consultation"),
    "phase.action_plan": ("Action plan", "Plan d'action"),
    "phase.learnings": ("Learnings", "Apprentissages"),
    "phase.follow_up": ("Follow-up", "Suivi"),
    "phase.closed": ("Closed", "Terminé"),
    "phase.withdrawn": ("Withdrawn", "Retiré"),
    "phase.enter.clarification": (
        "*Phase 2: clarification* (until {deadline}). Consultants, ask questions to understand "
        "the situation; {client} answers. Questions only: advice waits for the consultation "
        "phase. Press *No more questions* when you have understood.",
        "*Phase 2 : clarification* (jusqu'au {deadline}). Consultants, posez des questions pour "
        "comprendre la situation ; {client} y répond. Seulement des questions : les conseils "
        "attendent la phase de consultation. Appuyez sur *Plus de questions* quand vous avez compris.",
    ),
    "phase.enter.contract": (
        "*Phase 3: contract* (until {deadline}). {client}, say in one reply what help you want "
        "from the group. Consultants, acknowledge it: *I can help with that* or *Please reformulate*.",
        "*Phase 3 : contrat* (jusqu'au {deadline}). {client}, dites en une réponse quelle aide "
        "vous attendez du groupe. Consultants, répondez : *Je peux aider* ou *Merci de reformuler*.",
    ),
    "phase.enter.consultation": (
        "*Phase 4: consultation* (until {deadline}). Consultants, share reactions, suggestions, "
        "hypotheses and experiences, each in your own reply, then press *I'm done*. {client} "
        "listens and may only send signals.",
        "*Phase 4 : consultation* (jusqu'au {deadline}). Consultants, partagez réactions, "
        "suggestions, hypothèses et expériences, chacun·e dans sa réponse, puis appuyez sur "
        "*J'ai terminé*. {client} écoute et peut seulement envoyer des signaux.",
    ),
    "phase.enter.consultation_clarify": (
        "*Phase 4: consultation* (until {deadline}). Consultants, share reactions, suggestions, "
        "hypotheses and experiences, each in your own reply, then press *I'm done*. {client} "
        "listens, may send signals, and may reply to clarify a point.",
        "*Phase 4 : consultation* (jusqu'au {deadline}). Consultants, partagez réactions, "
        "suggestions, hypothèses et expériences, chacun·e dans sa réponse, puis appuyez sur "
        "*J'ai terminé*. {client} écoute, peut envoyer des signaux et répondre pour clarifier un point.",
    ),
    "phase.enter.action_plan": (
        "*Phase 5: action plan* (until {deadline}). {client}, reply with a short synthesis and "
        "1 to 5 actions, one per line starting with '-', each with an optional date "
        "(e.g. '- talk to my manager (by {example_date})'). Consultants, endorse the plan.",
        "*Phase 5 : plan d'action* (jusqu'au {deadline}). {client}, répondez par une courte "
        "synthèse et 1 à 5 actions, une par ligne commençant par '-', chacune avec une date "
        "facultative (ex. : '- parler à ma gestionnaire (avant {example_date})'). Consultants, "
        "approuvez le plan.",
    ),
    "phase.enter.learnings": (
        "*Phase 6: learnings* (until {deadline}). Everyone, share what you take away from this "
        "consultation for your own practice.",
        "*Phase 6 : apprentissages* (jusqu'au {deadline}). Chacun·e, partagez ce que vous retenez "
        "de cette consultation pour votre propre pratique.",
    ),
    "phase.enter.follow_up": (
        "*Follow-up.* {client} will keep the circle informed of each action at the next meetings.",
        "*Suivi.* {client} tiendra le cercle informé de chaque action lors des prochaines rencontres.",
    ),
    "phase.enter.closed": (
        "This case is closed. Thank you all.",
        "Ce cas est terminé. Merci à toutes et à tous.",
    ),
    "case.withdrawn_after_consultation": (
        "The client has withdrawn this case. The circle consulted on it, so it counts as their turn.",
        "La personne cliente a retiré ce cas. Le cercle l'a consultée : cela compte comme son tour.",
    ),
    "phase.enter.withdrawn": (
        "The client has withdrawn this case. Their turn is kept for later.",
        "La personne cliente a retiré ce cas. Son tour est conservé pour plus tard.",
    ),
    # Kinds, roles, statuses, signals
    "kind.problem": ("Problem", "Problème"),
    "kind.concern": ("Concern", "Préoccupation"),
    "kind.project": ("Project", "Projet"),
    "role.client": ("the client", "la personne cliente"),
    "role.consultant": ("a consultant", "un·e consultant·e"),
    "role.facilitator": ("a facilitator", "un·e animateur·rice"),
    "role.member": ("a member", "un membre"),
    "role.outsider": ("someone outside the circle", "une personne hors du cercle"),
    "role.system": ("the bot", "le bot"),
    # An action's status ("l'action", feminine in French).
    "status.open": ("open", "ouverte"),
    "status.done": ("done", "faite"),
    "status.partly": ("partly done", "en partie"),
    "status.dropped": ("dropped", "abandonnée"),
    "status.changed": ("changed", "modifiée"),
    "signal.off_contract": ("Off contract", "Hors contrat"),
    "signal.discomfort": ("Discomfort", "Inconfort"),
    "signal.clarify": ("Please clarify", "Besoin de précision"),
    # Card
    "card.title": ("Case {number}: {title}", "Cas {number} : {title}"),
    "card.line": ("{label}: {value}", "{label} : {value}"),
    "card.client": ("Client", "Client·e"),
    "card.kind": ("Kind", "Type"),
    "card.phase": ("Phase", "Phase"),
    "card.status": ("Status", "État"),
    "card.paused": ("paused", "en pause"),
    "card.deadline": ("Until", "Jusqu'au"),
    "card.progress": ("Progress", "Avancement"),
    "card.progress.questions": (
        "{done}/{total} consultants have no more questions",
        "{done}/{total} consultants n'ont plus de questions",
    ),
    "card.progress.no_contract": ("waiting for the contract", "en attente du contrat"),
    "card.progress.acks": ("{done}/{total} can help", "{done}/{total} peuvent aider"),
    "card.progress.done": ("{done}/{total} consultants done", "{done}/{total} consultants ont terminé"),
    "card.progress.no_plan": ("waiting for the plan", "en attente du plan"),
    "card.progress.endorsed": ("{done}/{total} endorsed the plan", "{done}/{total} ont approuvé le plan"),
    "card.progress.learned": ("shared so far: {who}", "partagé jusqu'ici : {who}"),
    "card.progress.settled": ("{done}/{total} actions settled", "{done}/{total} actions réglées"),
    # Buttons
    "button.no_more_questions": ("No more questions", "Plus de questions"),
    "button.ready_for_contract": ("Ready for the contract", "Prêt·e pour le contrat"),
    "button.withdraw": ("Withdraw", "Retirer le cas"),
    "button.post_contract": ("Write the contract", "Rédiger le contrat"),
    "button.ack_can_help": ("I can help with that", "Je peux aider"),
    "button.ack_reformulate": ("Please reformulate", "Merci de reformuler"),
    "button.done": ("I'm done", "J'ai terminé"),
    "button.signal": ("Send a signal", "Envoyer un signal"),
    "button.post_plan": ("Write the action plan", "Rédiger le plan d'action"),
    "button.endorse": ("Endorse the plan", "J'approuve le plan"),
    "button.share_learning": ("Share a learning", "Partager un apprentissage"),
    "button.post_update": ("Post an update", "Donner des nouvelles"),
    "button.close_case": ("Close the case", "Clore le cas"),
    # Asked before a button that cannot be undone does its work
    "confirm.withdraw": (
        "Withdraw case {number}? The circle stops working on it, and this cannot be undone.",
        "Retirer le cas {number} ? Le cercle cesse d'y travailler, et c'est sans retour.",
    ),
    "confirm.withdraw.yes": ("Yes, withdraw case {number}", "Oui, retirer le cas {number}"),
    "confirm.close_case": (
        "Close case {number}? Its follow-up ends, and this cannot be undone.",
        "Clore le cas {number} ? Son suivi s'arrête, et c'est sans retour.",
    ),
    "confirm.close_case.yes": ("Yes, close case {number}", "Oui, clore le cas {number}"),
    "button.keep_for_consultation": (
        "Keep it for the consultation",
        "Garder pour la consultation",
    ),
    "button.accept_charter": ("I accept the charter", "J'accepte la charte"),
    # Opening
    "case.opened": (
        "{client} brings case {number} to the circle. Our charter:\n{charter}",
        "{client} apporte le cas {number} au cercle. Notre charte :\n{charter}",
    ),
    "case.expose_text": (
        "{kind}: {title}\nContext: {context}\nStakes: {stakes}\nTried so far: {tried}\nQuestion: {question}",
        "{kind} : {title}\nContexte : {context}\nEnjeux : {stakes}\nDéjà essayé : {tried}\nQuestion : {question}",
    ),
    # Acts
    "contract.posted": (
        "The contract is posted. Consultants, can you help with it?",
        "Le contrat est publié. Consultants, pouvez-vous y aider ?",
    ),
    "contract.shown": ("Contract: {text}", "Contrat : {text}"),
    "contract.reformulate_asked": (
        "{who} asks you to reformulate your contract: {comment}\nReply in the case's thread with the "
        "new wording: it replaces the contract. A reply with a question mark stays a question to the "
        "consultants, unless it starts with 'Contract:'.",
        "{who} vous demande de reformuler votre contrat : {comment}\nRépondez dans le fil du cas avec la "
        "nouvelle formulation : elle remplace le contrat. Une réponse avec un point d'interrogation reste "
        "une question aux consultants, sauf si elle commence par « Contrat : ».",
    ),
    "contract.question_kept": (
        "Your reply reads as a question, so it is kept as a comment and your contract stands. To "
        "replace the contract, reply with the new wording (starting with 'Contract:' if it asks a "
        "question), or use *Write the contract*.",
        "Votre réponse ressemble à une question : elle est conservée comme commentaire et votre contrat "
        "reste en place. Pour le remplacer, répondez avec la nouvelle formulation (en commençant par "
        "« Contrat : » si elle pose une question), ou utilisez *Rédiger le contrat*.",
    ),
    "contract.comment_kept": (
        "Your reply is kept as a comment, and your contract stands. To change it, use *Write the "
        "contract*: the consultants are then asked again.",
        "Votre réponse est conservée comme commentaire, et votre contrat reste en place. Pour le "
        "modifier, utilisez *Rédiger le contrat* : les consultants sont alors sollicités de nouveau.",
    ),
    "clarification.advice_nudge": (
        "That reads like advice, and this is the clarification phase: questions only for now. "
        "Your reply is kept in the thread. Press the button to have it posted again when the "
        "consultation phase opens.",
        "Cela ressemble à un conseil, et nous sommes en phase de clarification : seulement des "
        "questions pour l'instant. Votre réponse reste dans le fil. Appuyez sur le bouton pour "
        "qu'elle soit republiée à l'ouverture de la phase de consultation.",
    ),
    "contract.advice_nudge": (
        "That reads like advice, and the consultation comes after the contract. Your reply is kept "
        "in the thread; press the button to have it posted again when the consultation opens. To "
        "answer the contract, use *I can help with that* or *Please reformulate*.",
        "Cela ressemble à un conseil, et la consultation vient après le contrat. Votre réponse reste "
        "dans le fil ; appuyez sur le bouton pour qu'elle soit republiée à l'ouverture de la "
        "consultation. Pour répondre au contrat, utilisez *Je peux aider* ou *Merci de reformuler*.",
    ),
    "clarification.kept": (
        "Kept: your advice will be posted when the consultation phase opens.",
        "C'est noté : votre conseil sera publié à l'ouverture de la phase de consultation.",
    ),
    "consultation.kept_posted": (
        "The consultation is open: your advice is posted in the thread now.",
        "La consultation est ouverte : votre conseil est publié dans le fil dès maintenant.",
    ),
    "consultation.contract_reminder": (
        "Reminder of the contract: {contract}",
        "Rappel du contrat : {contract}",
    ),
    "consultation.parked_released": (
        "Advice from {author}, given early and kept for the consultation:\n{text}",
        "Conseil de {author}, donné plus tôt et gardé pour la consultation :\n{text}",
    ),
    "consultation.client_listens": (
        "During the consultation the client listens. Your reply is kept in the thread; to react, send a signal.",
        "Pendant la consultation, la personne cliente écoute. Votre réponse reste dans le fil ; "
        "pour réagir, envoyez un signal.",
    ),
    "signal.shown": ("The client signals: {text}", "La personne cliente signale : {text}"),
    "signal.to_facilitator": (
        "Case {number}: the client sent a signal: {text}",
        "Cas {number} : la personne cliente a envoyé un signal : {text}",
    ),
    "plan.posted": (
        "The action plan is posted. Consultants, do you endorse it?",
        "Le plan d'action est publié. Consultants, l'approuvez-vous ?",
    ),
    "plan.due": ("by {due}", "avant le {due}"),
    "plan.shown": ("Action plan:\n{text}", "Plan d'action :\n{text}"),
    "plan.reservation": (
        "{who} has a reservation about your plan in case {number}: {text}",
        "{who} a une réserve sur votre plan dans le cas {number} : {text}",
    ),
    "plan.reservation_noted": (
        "Your reply is kept as a comment, not as an endorsement, and {client} is told of your reservation.",
        "Votre réponse est conservée comme commentaire, pas comme approbation, et {client} est "
        "informé·e de votre réserve.",
    ),
    "plan.suggestion": (
        "{who} suggests a change to your plan in case {number}: {text}",
        "{who} propose une modification de votre plan dans le cas {number} : {text}",
    ),
    "plan.suggestion_noted": (
        "That reads like a suggestion, so your reply is kept as a comment, not as an endorsement, "
        "and {client} is told of it. To endorse the plan as it stands, press *Endorse the plan*.",
        "Cela ressemble à une suggestion : votre réponse est conservée comme commentaire, pas comme "
        "approbation, et {client} en est informé·e. Pour approuver le plan tel quel, appuyez sur "
        "*J'approuve le plan*.",
    ),
    "plan.comment_kept": (
        "Your reply is kept as a comment, and your posted plan stands. To change the plan, post it "
        "again whole: a synthesis line, then one action per line starting with '-'.",
        "Votre réponse est conservée comme commentaire, et le plan publié reste en place. Pour le "
        "modifier, publiez-le de nouveau en entier : une ligne de synthèse, puis une action par ligne "
        "commençant par '-'.",
    ),
    "plan.reply_unreadable": (
        "Your reply is kept, but I could not read it as a plan: {reason} Write a synthesis "
        "line, then one action per line starting with '-'.",
        "Votre réponse est conservée, mais je n'ai pas pu la lire comme un plan : {reason} "
        "Écrivez une ligne de synthèse, puis une action par ligne commençant par '-'.",
    ),
    "learning.shown": ("{who} learned: {text}", "{who} a appris : {text}"),
    "update.line": ("Action {item} ({what}): {status}", "Action {item} ({what}) : {status}"),
    "update.shown": ("Update: {text}", "Nouvelles : {text}"),
    "update.reply_hint": (
        "Your reply is kept. To update an action, start with its number and a status, e.g. "
        "'1 done: it went well' (statuses: done, partly, dropped, changed). Actions in "
        "your plan: {count}.",
        "Votre réponse est conservée. Pour mettre à jour une action, commencez par son numéro "
        "et un état, ex. : '1 fait : ça s'est bien passé' (états : fait, partiel, abandonné, "
        "modifié). Actions de votre plan : {count}.",
    ),
    "follow_up.closed_after_meetings": (
        "The follow-up has had every meeting the circle gives it ({count}).",
        "Le suivi a eu toutes les rencontres que le cercle lui accorde ({count}).",
    ),
    "follow_up.closed_with_open_actions": (
        "The follow-up has had every meeting the circle gives it ({count}); actions still open: {actions}.",
        "Le suivi a eu toutes les rencontres que le cercle lui accorde ({count}) ; "
        "actions encore ouvertes : {actions}.",
    ),
    "follow_up.opened": (
        "Your action plan is under way. Before each meeting I will ask how it is going; you "
        "can post an update at any time.",
        "Votre plan d'action est lancé. Avant chaque rencontre, je vous demanderai où vous en "
        "êtes ; vous pouvez donner des nouvelles à tout moment.",
    ),
    "reply.not_a_case_thread": (
        "Your reply is not recorded: this thread is not a case's. To take part in a case, reply in "
        "the thread of its card.",
        "Votre réponse n'est pas enregistrée : ce fil n'est pas celui d'un cas. Pour participer à "
        "un cas, répondez dans le fil de sa fiche.",
    ),
    "reply.outsider": (
        "Your reply is kept, but you are not a member of this circle. Use /codev join to join it.",
        "Votre réponse est conservée, mais vous n'êtes pas membre de ce cercle. Utilisez "
        "/codev join pour le rejoindre.",
    ),
    "reply.case_over": (
        "Case {number} is over; your reply is kept as a comment.",
        "Le cas {number} est terminé ; votre réponse est conservée comme commentaire.",
    ),
    "reply.not_in_this_case": (
        "Your reply is kept as a comment: you are not a consultant in this case.",
        "Votre réponse est conservée comme commentaire : vous n'êtes pas consultant·e dans ce cas.",
    ),
    # Facilitation
    "case.paused": ("A facilitator paused this case.", "Un·e animateur·rice a mis ce cas en pause."),
    "case.resumed_complete": (
        "The case resumes; its phase was completed meanwhile, so it moves on.",
        "Le cas reprend ; sa phase s'est achevée entre-temps : il passe à la suivante.",
    ),
    "case.resumed": (
        "The case resumes; the phase now ends {deadline}.",
        "Le cas reprend ; la phase se termine maintenant le {deadline}.",
    ),
    "case.extended_while_paused": (
        "The deadline is extended: once the case resumes, its phase has {days} d {hours} h left.",
        "L'échéance est repoussée : à la reprise du cas, il restera {days} j {hours} h à sa phase.",
    ),
    "case.extended": (
        "The deadline is extended to {deadline}.",
        "L'échéance est repoussée au {deadline}.",
    ),
    "case.advanced": ("{who} moved the case to its next phase.", "{who} a fait passer le cas à la phase suivante."),
    "case.reassigned": ("{who} is now the client of this case.", "{who} est maintenant la personne cliente de ce cas."),
    "case.reassigned_to_you": (
        "A facilitator made you the client of case {number} ({title}), now in its {phase} phase: "
        "its thread shows what it waits for from you.",
        "L'animation vous a confié le cas {number} ({title}) comme personne cliente ; il en est à la "
        "phase {phase} : son fil montre ce qu'il attend de vous.",
    ),
    "reminder.clarification": (
        "Case {number} ({title}): clarification ends {deadline}. Ask your questions, then press *No more questions*.",
        "Cas {number} ({title}) : la clarification se termine le {deadline}. Posez vos questions, "
        "puis appuyez sur *Plus de questions*.",
    ),
    "reminder.contract": (
        "Case {number} ({title}): the contract phase ends {deadline}, and it is waiting for you.",
        "Cas {number} ({title}) : la phase de contrat se termine le {deadline}, et elle vous attend.",
    ),
    "reminder.consultation": (
        "Case {number} ({title}): the consultation ends {deadline}. Share your advice, then press *I'm done*.",
        "Cas {number} ({title}) : la consultation se termine le {deadline}. Partagez vos conseils, "
        "puis appuyez sur *J'ai terminé*.",
    ),
    "reminder.action_plan": (
        "Case {number} ({title}): the action plan phase ends {deadline}, and it is waiting for you.",
        "Cas {number} ({title}) : la phase du plan d'action se termine le {deadline}, et elle vous attend.",
    ),
    "reminder.learnings": (
        "Case {number} ({title}): share what you learned before {deadline}.",
        "Cas {number} ({title}) : partagez ce que vous avez appris avant le {deadline}.",
    ),
    "facilitator.low_activity": (
        "Case {number}: consultants active in this phase so far: {active} of {total}.",
        "Cas {number} : consultant·e·s actif·ve·s dans cette phase jusqu'ici : {active} sur {total}.",
    ),
    "facilitator.no_consultants_left": (
        "Case {number} ({title}) has no consultant left since {who} left the circle: it waits in its "
        "phase, even past its deadline. Advance it yourself (/codev advance {number}) if its client "
        "wishes to go on, or they can withdraw it.",
        "Le cas {number} ({title}) n'a plus de consultant·e depuis le départ de {who} : il attend dans "
        "sa phase, même après son échéance. Faites-le avancer vous-même (/codev advance {number}) si "
        "la personne cliente souhaite continuer, ou elle peut le retirer.",
    ),
    "facilitator.no_consultants_at_deadline": (
        "Case {number} ({title}) reached its deadline with no consultant left, so it did not move "
        "on: it waits for you (/codev advance {number}), or for its client to withdraw it.",
        "Le cas {number} ({title}) a atteint son échéance sans plus aucun·e consultant·e, il n'a donc "
        "pas avancé : il vous attend (/codev advance {number}), ou attend que la personne cliente le "
        "retire.",
    ),
    "facilitator.missing_contract": (
        "Case {number}: the contract phase reached its deadline without a contract from {client}.",
        "Cas {number} : la phase de contrat a atteint son échéance sans contrat de la part de {client}.",
    ),
    "facilitator.still_missing_contract": (
        "Case {number}: the contract phase reached its extended deadline, still without a contract "
        "from {client}. It waits for you: /codev advance {number} moves it on, or {client} can "
        "withdraw it.",
        "Cas {number} : la phase de contrat a atteint son échéance prolongée, toujours sans contrat "
        "de la part de {client}. Il vous attend : /codev advance {number} le fait avancer, ou {client} peut le "
        "retirer.",
    ),
    "facilitator.still_missing_plan": (
        "Case {number}: the action plan phase reached its extended deadline, still without a plan "
        "from {client}. It waits for you: /codev advance {number} moves it on, or {client} can "
        "withdraw it.",
        "Cas {number} : la phase du plan d'action a atteint son échéance prolongée, toujours sans plan "
        "de la part de {client}. Il vous attend : /codev advance {number} le fait avancer, ou {client} peut le "
        "retirer.",
    ),
    "facilitator.missing_plan": (
        "Case {number}: the action plan phase reached its deadline without a plan from {client}.",
        "Cas {number} : la phase du plan d'action a atteint son échéance sans plan de la part de {client}.",
    ),
    "deadline.extended_missing_contract": (
        "No contract yet: this phase is extended once, to {deadline}.",
        "Pas encore de contrat : cette phase est prolongée une fois, jusqu'au {deadline}.",
    ),
    "deadline.extended_missing_plan": (
        "No action plan yet: this phase is extended once, to {deadline}.",
        "Pas encore de plan d'action : cette phase est prolongée une fois, jusqu'au {deadline}.",
    ),
}
