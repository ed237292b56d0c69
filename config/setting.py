"""One setting's declaration: its environment variable, ``Config`` attribute, kind, default and help, and
how its raw text is parsed (``Setting.parse``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


class SettingError(ValueError):
    """A setting's value cannot be parsed; the message names the variable."""


@dataclass(frozen=True)
class Setting:
    name: str  # the environment variable
    attr: str  # the Config attribute
    kind: str  # path | text | secret | int | float | choice
    default: Any  # None: unset
    help: str
    shown: str = ""  # the default as the docs show it (when not str(default))
    choices: tuple[str, ...] = ()
    group: str = "service"  # data | search | sparql | admin | service | testing

    @property
    def shown_default(self) -> str:
        if self.shown:
            return self.shown
        return "—" if self.default is None else str(self.default)

    def parse(self, raw: str | None) -> Any:
        if raw is None or raw.strip() == "":
            return self.default
        raw = raw.strip()
        try:
            if self.kind == "int":
                return int(float(raw))
            if self.kind == "float":
                return float(raw)
        except ValueError:
            raise SettingError(f"{self.name}={raw!r}: expected a number") from None
        if self.kind == "path":
            return Path(raw)
        if self.kind == "choice" and raw.lower() not in self.choices:
            raise SettingError(f"{self.name}={raw!r}: expected one of {', '.join(self.choices)}")
        return raw.lower() if self.kind == "choice" else raw
