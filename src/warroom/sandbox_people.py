"""A person's hands on the local sandbox: the PyGithub client the demo, the drill and the
tests act through, and the config the Action they dispatch runs with.

Shell code (it builds PyGithub clients); the core never imports it. One place, so the
demo and the drill act on the sandbox the same way: no retries of PyGithub's own and no
politeness pauses (the sandbox needs none), lazy objects, listings of 100.
"""

from __future__ import annotations

from github import Auth, Github

SANDBOX_CONFIG = """\
# The sandbox's config: it needs no pause between writes.
api:
  seconds_between_writes: 0
"""
"""What the Action dispatched by the demo and the drill runs with (``WARROOM_CONFIG``)."""


def client(api_url: str, token: str) -> Github:
    """A PyGithub client for one of the sandbox's people (``sandbox.tokens[login]``)."""
    return Github(
        base_url=api_url,
        auth=Auth.Token(token),
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
        lazy=True,
        per_page=100,
    )
