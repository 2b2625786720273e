"""`python -m convmath` runs the `convmath` command."""

from .cli import main

raise SystemExit(main())
