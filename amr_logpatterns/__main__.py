"""``python -m amr_logpatterns`` runs the command-line tool."""

from .cli import main

raise SystemExit(main())
