"""`python -m app` is the `gradscope` command."""

from app.cli import main

raise SystemExit(main())
