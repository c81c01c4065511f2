"""Slack: a slack-bolt AsyncApp in HTTP or Socket Mode, a Web API deliverer, Block Kit.

`bot.adapters.slack.adapter.SlackAdapter` is the entry point; it needs the `slack` extra.
Nothing is imported here, so `manifest` works without the Slack SDKs installed.
"""
