"""The shell: thin click commands over the library.

Each command reads its inputs, calls one library function and turns a
``WarroomError`` into a message and an exit code (0 ok, 1 findings, 2 usage).
The library never imports click.
"""

from __future__ import annotations

import gc
import sys
from datetime import datetime
from pathlib import Path

import click

from warroom import __version__
from warroom.errors import UsageError, WarroomError
from warroom.records.spec import RECORD_KINDS


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="warroom")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """warroom: the incident recovery playbook, inside GitHub.

    \b
    Example:
        warroom check --kind auto comment.md
    """
    if ctx.invoked_subcommand != "action":
        gc.enable()  # see main(): only `warroom action` starts with the collector held off


PORT_OPTION = click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0: any).",
)
"""``--port``, as the sandbox and the drill take it."""


@cli.group("sandbox")
def sandbox_group() -> None:
    """A local GitHub for tests, the demo and drills: no network, a settable clock.

    \b
    Example:
        warroom sandbox serve --dispatch 'warroom action'
    """


@sandbox_group.command("serve")
@PORT_OPTION
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path), help="SQLite state file.")
@click.option("--dispatch", metavar="CMD", help="Command to run for each event, as a workflow.")
@click.option(
    "--user",
    "users",
    multiple=True,
    metavar="LOGIN=LEVEL",
    help="An extra user: admin, maintain, write, triage, read or none. Repeatable.",
)
@click.option(
    "--env",
    "env",
    multiple=True,
    metavar="NAME=VALUE",
    help="A variable for every dispatched run. Repeatable.",
)
@click.option(
    "--repository",
    "repositories",
    multiple=True,
    metavar="NAME",
    help="Another repository of the owner (a backlog: follow_ups.repository). Repeatable.",
)
@click.option(
    "--project",
    "projects",
    multiple=True,
    type=int,
    metavar="NUMBER",
    help="Seed a GitHub Project of the owner (follow_ups.project). Repeatable.",
)
def sandbox_serve(
    port: int,
    data: Path | None,
    dispatch: str | None,
    users: tuple[str, ...],
    env: tuple[str, ...],
    repositories: tuple[str, ...] = (),
    projects: tuple[int, ...] = (),
) -> None:
    """Print one JSON line (api_url, repo, tokens), then serve until stopped.

    With --dispatch, each run prints one line to stderr when it completes:
    its event and issue, exit code and what it changed.

    \b
    Example:
        warroom sandbox serve --port 8787 --data drill.sqlite --dispatch 'warroom action' \\
            --user mara=write --env WARROOM_CONFIG=.github/warroom.yml
    """
    from warroom.sandbox.serve import ServeError, serve

    try:
        serve(
            port=port,
            data=data,
            dispatch=dispatch,
            users=users,
            env=env,
            repositories=repositories,
            projects=projects,
            announce=click.echo,
            report=lambda line: click.echo(line, err=True),
        )
    except ServeError as exc:
        raise UsageError(str(exc)) from None


# --- records: `warroom check` and `warroom template` (see warroom.check, warroom.render) ------


class _CommandError(click.ClickException):
    """A ``WarroomError`` as click reports it (``Error: message``), exit 2, no usage dump."""

    exit_code = 2


@cli.command("check")
@click.option(
    "--kind",
    type=click.Choice(("auto", "form", *RECORD_KINDS)),
    default="auto",
    show_default=True,
    help="What each input is; auto recognises records by heading or first line, then forms.",
)
@click.option(
    "--form",
    "form_path",
    type=click.Path(path_type=Path),
    help="Issue-form YAML to read form bodies with (default: the bundled incident form).",
)
@click.option(
    "--format", "output", type=click.Choice(("text", "json")), default="text", show_default=True
)
@click.argument("files", nargs=-1, required=True)
def check_command(kind: str, form_path: Path | None, output: str, files: tuple[str, ...]) -> None:
    """Check war-room records and issue-form bodies in FILES (- reads stdin).

    Exit 0 when every input is valid (warnings allowed), 1 when any is
    invalid, 2 for a usage error or an input that cannot be read: missing,
    not UTF-8 text, or longer than 65,536 characters (GitHub's limit for a
    comment). With --format json every input gets a line, unreadable ones too.

    \b
    Example:
        warroom check comment.md
        warroom template decision | warroom check --kind decision --format json -
    """
    from warroom.check import check_files

    try:
        report = check_files(
            files,
            kind=kind,
            form_path=form_path,
            output="json" if output == "json" else "text",
            stdin=sys.stdin.buffer,
        )
    except WarroomError as exc:
        raise _CommandError(str(exc)) from None
    click.echo(report.stdout, nl=False)
    click.echo(report.stderr, nl=False, err=True)
    sys.exit(report.exit_code)


_TEMPLATE_HELP = f"""Print the fillable war-room record KIND, to paste into an incident comment.

KIND is one of: {", ".join(RECORD_KINDS)}.

\b
Example:
    warroom template decision > decision.md
"""


@cli.command("template", help=_TEMPLATE_HELP)
@click.argument("kind", type=click.Choice(RECORD_KINDS), metavar="KIND")
def template_command(kind: str) -> None:
    """Print the fillable war-room record KIND (the help, with the kinds, is ``_TEMPLATE_HELP``)."""
    from warroom.render import render_record

    click.echo(render_record(kind), nl=False)


# --- the Action: `warroom action`, `warroom sweep`, `warroom labels sync` (see warroom.run) ----


@cli.command("action")
@click.option("--dry-run", is_flag=True, help="Print the planned changes; write nothing.")
def action_command(dry_run: bool) -> None:
    """Handle one GitHub Actions event (what the Action runs).

    Reads GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY,
    GITHUB_API_URL and GITHUB_TOKEN like a workflow step; WARROOM_CONFIG,
    WARROOM_DRY_RUN and WARROOM_NOW are optional. Exit 1 when a closure was
    blocked or GitHub failed, with an error annotation; exit 2, before any
    request, for a setting it does not understand (WARROOM_DRY_RUN takes
    true/false, 1/0 or yes/no) or a WARROOM_CONFIG file that does not exist.

    \b
    Example:
        GITHUB_EVENT_NAME=issues GITHUB_EVENT_PATH=event.json warroom action --dry-run
    """
    import dataclasses

    from warroom.action import main as action_main
    from warroom.actions_env import read_env

    env = read_env()
    if dry_run:
        env = dataclasses.replace(env, dry_run=True)
    sys.exit(action_main(env, click.echo))


@cli.command("sweep")
@click.option("--dry-run", is_flag=True, help="Print the planned changes; write nothing.")
def sweep_command(dry_run: bool) -> None:
    """Check every open incident against the clock (what the schedule runs).

    Needs GITHUB_REPOSITORY and GITHUB_TOKEN (and GITHUB_API_URL for GitHub
    Enterprise or the sandbox); reminders are posted for what is overdue.

    \b
    Example:
        GITHUB_REPOSITORY=acme/shop GITHUB_TOKEN=... warroom sweep --dry-run
    """
    from warroom.run import sweep_main

    sys.exit(sweep_main(dry_run=dry_run, echo=click.echo))


@cli.command("package")
@click.argument("number", type=int, metavar="N")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the package (Markdown) to this file.",
)
def package_command(number: int, output: Path | None) -> None:
    """Build incident N's closure review package and post it on the issue now.

    The package (timeline, mitigation diff, verification commands, residual
    risks, hardening backlog, decisions) is one comment, edited in place when
    it changes; warroom also posts it by itself once the closure gate is met.
    Exit 0 when the gate is met, 1 when not yet (the package says what is
    missing). Needs GITHUB_REPOSITORY and GITHUB_TOKEN (and GITHUB_API_URL off
    github.com).

    \b
    Example:
        GITHUB_REPOSITORY=acme/shop GITHUB_TOKEN=... warroom package 12 --output package.md
    """
    from warroom.run_package import package_main

    sys.exit(package_main(number, output, click.echo))


@cli.command("render")
@click.argument(
    "kind",
    type=click.Choice(("escalate", "status-update", "leadership-note", "handoff")),
    metavar="KIND",
)
@click.argument("number", type=click.IntRange(min=1), metavar="N")
def render_command(kind: str, number: int) -> None:
    """Print the playbook's message KIND for incident N, filled and ready to paste.

    KIND is escalate, status-update, leadership-note or handoff: what the
    slash command `/warroom KIND` replies with. Needs GITHUB_REPOSITORY and
    GITHUB_TOKEN (and GITHUB_API_URL off github.com); writes nothing. Exit 1
    when the handoff acceptance test misses an item, 2 when N is no incident.

    \b
    Example:
        GITHUB_REPOSITORY=acme/shop GITHUB_TOKEN=... warroom render status-update 12
    """
    from warroom.run_messages import render_main

    sys.exit(render_main(kind, number, echo=click.echo))


@cli.group("labels")
def labels_group() -> None:
    """Manage the labels warroom uses.

    \b
    Example:
        warroom labels sync
    """


@labels_group.command("sync")
@click.option("--dry-run", is_flag=True, help="Print the planned changes; write nothing.")
def labels_sync_command(dry_run: bool) -> None:
    """Create or recolour every label warroom uses, now rather than on first use.

    Needs GITHUB_REPOSITORY and GITHUB_TOKEN (and GITHUB_API_URL off github.com).

    \b
    Example:
        GITHUB_REPOSITORY=acme/shop GITHUB_TOKEN=... warroom labels sync
    """
    from warroom.run import labels_sync_main

    sys.exit(labels_sync_main(dry_run=dry_run, echo=click.echo))


@cli.command("report")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only incidents opened on or after this date (YYYY-MM-DD, UTC). Default: all.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("markdown", "json", "csv", "html")),
    default="markdown",
    show_default=True,
    help="markdown (with Mermaid charts), json, csv, or html (one page, charts inline).",
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout."
)
def report_command(since: datetime | None, fmt: str, output: Path | None) -> None:
    """Report across incidents, per severity and per month: how fast, how punctual, what
    blocked closure, follow-ups and reviews.

    Needs GITHUB_REPOSITORY and GITHUB_TOKEN (and GITHUB_API_URL off github.com).
    Reads listings of 100 only: the incidents, their comments in one repository-wide
    listing, the follow-up issues. A progress bar shows on stderr at a terminal.

    \b
    Example:
        warroom report --since 2026-01-01 --format html --output report.html
        warroom report --format csv > incidents.csv
    """
    from warroom.run_report import progress_line, report_main

    def progress(done: int, total: int) -> None:
        click.echo(progress_line(done, total), nl=done == total, err=True)

    sys.exit(
        report_main(
            since=since.date() if since is not None else None,
            fmt=fmt,
            output=output,
            echo=click.echo,
            progress=progress if sys.stderr.isatty() else None,
        )
    )


@cli.command("demo")
@click.option("--keep", is_flag=True, help="Leave the sandbox running afterwards, with its tokens.")
def demo_command(keep: bool) -> None:
    """Play a whole SEV-1 incident against a local GitHub, with the Action on every event.

    Starts the sandbox with its dispatcher and clock, files the incident from
    the form, posts records (one invalid, then fixed), closes too early (the
    gate reopens it), meets the gate and shows the follow-ups it opened.

    \b
    Example:
        warroom demo
        warroom demo --keep
    """
    from warroom.demo import play

    sys.exit(play(click.echo, keep=keep))


@cli.command("drill")
@click.argument("scenario", required=False)
@click.option("--list", "list_only", is_flag=True, help="List the scenarios and exit.")
@PORT_OPTION
@click.option(
    "--speed",
    type=float,
    default=10.0,
    show_default=True,
    help="Drill minutes per real minute (10: a 60-minute drill in 6 minutes).",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed of the monitoring numbers' noise."
)
@click.option(
    "--scenarios",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder of your own scenario files (*.yml), beside the bundled ones.",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    help="Also write the debrief's JSON to this file when the drill ends.",
)
def drill_command(
    scenario: str | None,
    list_only: bool,
    port: int,
    speed: float,
    seed: int,
    folder: Path | None,
    output: Path | None,
) -> None:
    """Practise the playbook: play a scenario against a local GitHub on a compressed clock.

    Prints one JSON line (url, api_url, repo, tokens, scenario), then serves
    until Ctrl-C: open the url in a browser, file the incident from the form,
    post records as the team, ask for evidence with `/drill run <command>`.
    The Action runs on every event; the debrief is posted when the incident
    closes with the gate met, or when the time is up. SCENARIO is a bundled
    name or the path of a scenario file. Needs the drill extra (warroom[drill]).

    \b
    Example:
        warroom drill --list
        warroom drill auth-token-failure --speed 10
    """
    from warroom.drill.runner import drill_main

    sys.exit(
        drill_main(
            scenario,
            port=port,
            speed=speed,
            seed=seed,
            folder=folder,
            list_only=list_only,
            echo=click.echo,
            report=lambda line: click.echo(line, err=True),
            output=output,
        )
    )


def main() -> None:
    """Entry point: no tracebacks for errors warroom knows how to explain.

    The garbage collector is held off while the command loads its modules:
    modules, classes and compiled patterns live as long as the process, so
    collecting while they load is wasted work (about a tenth of a short run's
    CPU). ``warroom action`` turns it back on once it knows the event is worth
    loading the engine for (``warroom.action``); every other command gets it
    back as it starts. At exit everything is frozen, so tearing the interpreter
    down does not walk the whole heap once more.
    """
    gc.disable()
    try:
        returned = cli.main(standalone_mode=False)
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
        # Without standalone mode, click returns a command's `ctx.exit(n)` code instead.
        sys.exit(returned if isinstance(returned, int) else 0)
    finally:
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    main()
