"""One YAML reading for the config and the issue forms: safe, and in C when the wheel has it.

PyYAML's ``CSafeLoader`` (libyaml) reads the same documents as ``SafeLoader``
in a tenth of the time: reading the bundled incident form in pure Python was
about a tenth of a record comment's run. Both build only plain data (no tags,
no objects), so nothing a file says can run.
"""

from __future__ import annotations

from typing import Any

import yaml

SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    """The document in ``text``, as ``yaml.safe_load`` reads it; raises ``yaml.YAMLError``."""
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - SAFE_LOADER is a safe loader
