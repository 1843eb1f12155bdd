"""``python -m samverkan.bot.cli`` runs the command line."""

from samverkan.bot.cli import main

raise SystemExit(main())
