"""The files the web view finds on this machine: its stylesheet and script, Mermaid, issue forms.

No page loads anything from the internet (the Content-Security-Policy says
``'self'`` only), so Mermaid comes from the ``mermaid`` npm package on this
machine: ``WARROOM_MERMAID_JS`` when set, else ``node_modules/mermaid/dist/
mermaid.min.js`` in the working directory or in a directory above this
package (a checkout with ``npm ci`` done). Without it pages say so and show
charts as code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MERMAID_ENV = "WARROOM_MERMAID_JS"
ISSUE_FORMS_ENV = "WARROOM_ISSUE_FORMS"
_FORMS_REL = Path(".github") / "ISSUE_TEMPLATE"
_MERMAID_REL = Path("node_modules") / "mermaid" / "dist" / "mermaid.min.js"
_STATIC = Path(__file__).resolve().parent / "static"
ASSET_PREFIX = "/_web/"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        # Mermaid writes <style> into each chart it draws; labels' colours are style attributes.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
"""Every page's policy: nothing from another origin, no inline script."""


@dataclass(frozen=True)
class Asset:
    """One static file as served: its bytes and media type."""

    data: bytes
    content_type: str


_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


def find_mermaid(start: Path | None = None) -> Path | None:
    """Where ``mermaid.min.js`` is on this machine, or ``None``; see the module docstring."""
    chosen = os.environ.get(MERMAID_ENV)
    if chosen:
        path = Path(chosen)
        return path if path.is_file() else None
    here = (start or Path(__file__)).resolve()
    for base in (Path.cwd(), *here.parents):
        candidate = base / _MERMAID_REL
        if candidate.is_file():
            return candidate
    return None


def find_issue_forms(start: Path | None = None) -> Path | None:
    """The issue forms to offer: ``WARROOM_ISSUE_FORMS``, else ``.github/ISSUE_TEMPLATE``
    in the working directory or a checkout above this package, else the forms the
    package ships (``warroom/forms``); ``None`` when there are none."""
    chosen = os.environ.get(ISSUE_FORMS_ENV)
    if chosen:
        path = Path(chosen)
        return path if path.is_dir() else None
    here = (start or Path(__file__)).resolve()
    for base in (Path.cwd(), *here.parents):
        if (base / _FORMS_REL).is_dir():
            return base / _FORMS_REL
    shipped = here.parents[2] / "forms"
    return shipped if shipped.is_dir() else None


@cache
def _mermaid_bytes(path: Path) -> bytes:
    return path.read_bytes()


def asset(name: str, mermaid: Path | None) -> Asset | None:
    """The static file ``name`` (``web.css``, ``web.js``, ``mermaid.min.js``), or ``None``."""
    if name == "mermaid.min.js":
        if mermaid is None:
            return None
        return Asset(_mermaid_bytes(mermaid), _TYPES[".js"])
    if "/" in name or name.startswith("."):
        return None
    path = _STATIC / name
    if path.suffix not in _TYPES or not path.is_file():
        return None
    return Asset(path.read_bytes(), _TYPES[path.suffix])
