"""The shell: thin click commands over the library.

Each command reads its inputs, calls one library function and turns a
``WarroomError`` into a message and an exit code (0 ok, 1 findings, 2 usage).
The library never imports click.
"""

from __future__ import annotations

import sys

import click

from warroom import __version__
from warroom.errors import WarroomError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="warroom")
def cli() -> None:
    """warroom: the incident recovery playbook, inside GitHub.

    \b
    Example:
        warroom check --kind auto comment.md
    """


def main() -> None:
    """Entry point: no tracebacks for errors warroom knows how to explain."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except WarroomError as exc:
        click.echo(f"warroom: {exc}", err=True)
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    else:
        sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
