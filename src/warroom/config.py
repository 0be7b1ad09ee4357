"""The model of ``.github/warroom.yml``.

Defaults live here and only here: the README's config table is these defaults,
and tests build configs from this model rather than repeating values.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, field_validator


class Config(BaseModel):
    """warroom's settings; every key optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str = "UTC"
    """Zone for times written without one (``2026-11-28 16:20``)."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r}; write an IANA name such as 'UTC' or 'Europe/Berlin'"
            ) from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


DEFAULT_CONFIG = Config()
