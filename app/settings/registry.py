"""The settings that exist. Each area declares its own at import time, so the settings page and
the services know every switch without this package knowing the areas."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    help: str
    default: bool = False


_SETTINGS: dict[str, Setting] = {}


def declare(setting: Setting) -> Setting:
    _SETTINGS.setdefault(setting.key, setting)
    return _SETTINGS[setting.key]


def known() -> list[Setting]:
    return sorted(_SETTINGS.values(), key=lambda s: s.key)


def definition(key: str) -> Setting | None:
    return _SETTINGS.get(key)
