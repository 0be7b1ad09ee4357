"""``python -m warroom`` runs the CLI, so the Action can run it from its path."""

import gc

gc.disable()  # before the CLI's own imports; warroom.cli.main says why and when it comes back

from warroom.cli import main  # noqa: E402 - after the line above, on purpose

main()
