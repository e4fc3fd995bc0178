"""`python -m ui` runs the `parley` command."""

from ui.cli import main

main()
