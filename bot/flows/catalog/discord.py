"""Texts only the Discord adapter shows: acknowledgements, multi-step forms, setup warnings."""

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
    "discord.form_ready": (
        "Your form is ready: open it with the button below.",
        "Votre formulaire est prêt : ouvrez-le avec le bouton ci-dessous.",
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
}
