"""`python -m bot` is the `codev` command."""

from bot.cli import main

raise SystemExit(main())
