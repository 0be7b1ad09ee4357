"""``python -m warroom`` runs the CLI, so the Action can run it from its path."""

from warroom.cli import main

main()
