"""``python -m amr_logpatterns`` runs the command-line tool."""

from amr_logpatterns.cli import main

raise SystemExit(main())
