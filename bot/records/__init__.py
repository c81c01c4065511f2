"""Records and privacy: case exports, the circle report, learning journals, erasure, retention.

Markdown and CSV are built from values by pure functions (`export`, `report`); the modules
that read or change storage (`journal`, `erasure`, `retention`, `commands`) do it through a
unit of work handed to them, and never commit.
"""
