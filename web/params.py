"""Request parameters declared as data: one declaration parses the request and writes its OpenAPI text.

    Param("k", "number of results", type="integer", default=10, minimum=1, maximum=100, clamp=True)

Rules shared by every query parameter:
* a missing, empty or blank value is the default (a 400 when the parameter is required);
* text is at most ``max_length`` characters (longer: 400), trimmed of surrounding spaces;
* a control character in text is a 400 naming the parameter: NUL, the other C0 and C1 controls and DEL
  anywhere, tab, line feed and carriage return inside the value (around it they are trimmed spaces);
* an ``enum`` closes the set of values (anything else: 400); ``listed`` takes a comma-separated list of them;
* a number outside [minimum, maximum] is clamped to the nearest bound when ``clamp``, otherwise a 400.
Errors are ``ValueError`` with the reason, which the views answer with 400.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 200  # characters of any text parameter
TYPES = ("integer", "number", "string")
LINE_CONTROLS = "\t\n\r"  # the control characters a multi-line text (a SPARQL query) may hold


def control_character(text: str, multiline: bool = False) -> str | None:
    r"""The first control character (Unicode category Cc: C0, DEL, C1) of ``text``, or None; tab, line feed
    and carriage return do not count when ``multiline``.

    >>> control_character("a\x00b"), control_character("a\nb"), control_character("a\nb", multiline=True)
    ('\x00', '\n', None)
    """
    for ch in text:
        if (ch < " " or "\x7f" <= ch <= "\x9f") and not (multiline and ch in LINE_CONTROLS):
            return ch
    return None


@dataclass(frozen=True)
class Param:
    """A query parameter."""

    name: str
    description: str
    type: str = "string"  # integer | number | string
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    clamp: bool = False  # out of range: the nearest bound (True) or a 400 (False)
    enum: tuple[str, ...] = ()
    listed: bool = False  # a comma-separated list of enum values
    max_length: int = MAX_TEXT  # strings only
    required: bool = False
    example: str | None = None

    def __post_init__(self):
        assert self.type in TYPES, self.type
        assert not self.listed or self.enum, f"{self.name}: a listed parameter needs its enum"

    def parse(self, raw: str | None) -> Any:
        """The value of this parameter in a request (``raw`` is None when it is absent)."""
        raw = raw or ""
        if self.type == "string" and len(raw) > self.max_length:
            raise ValueError(f"{self.name} is too long: {len(raw)} characters, at most {self.max_length}")
        bad = control_character(raw, multiline=True) or control_character(raw.strip())
        if bad is not None:
            raise ValueError(f"{self.name} contains the control character U+{ord(bad):04X}")
        value = raw.strip()
        if not value:
            if self.required:
                hint = f", e.g. ?{self.name}={self.example}" if self.example else ""
                raise ValueError(f"{self.name} is required{hint}")
            return self.default
        if self.type == "integer":
            return self._bounded(self._integer(value))
        if self.type == "number":
            return self._bounded(self._number(value))
        return self._text(value)

    def _integer(self, value: str) -> int:
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"{self.name} must be an integer") from None

    def _number(self, value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise ValueError(f"{self.name} must be a number{self._range_text()}")
        return number

    def _bounded(self, value):
        below = self.minimum is not None and value < self.minimum
        above = self.maximum is not None and value > self.maximum
        if not (below or above):
            return value
        if self.clamp:
            return type(value)(self.minimum if below else self.maximum)
        raise ValueError(
            f"{self.name} must be {'an integer' if self.type == 'integer' else 'a number'}{self._range_text()}"
        )

    def _range_text(self) -> str:
        if self.minimum is None and self.maximum is None:
            return ""
        if self.maximum is None:
            return f" of at least {self.minimum:g}"
        if self.minimum is None:
            return f" of at most {self.maximum:g}"
        return f" between {self.minimum:g} and {self.maximum:g}"

    def _text(self, value: str) -> str:
        if self.listed and not set(value.split(",")) <= set(self.enum):
            raise ValueError(f"{self.name} must be a comma-separated list of {', '.join(self.enum)}")
        if self.enum and not self.listed and value not in self.enum:
            raise ValueError(f"{self.name} must be one of {', '.join(self.enum)}")
        return value

    def schema(self) -> dict:
        """The OpenAPI schema of the values accepted. A clamped number accepts any value (its bounds are
        in ``x-clamp`` and the description), a checked one only those within ``minimum``/``maximum``."""
        if self.listed:
            return {"type": "array", "items": {"type": "string", "enum": list(self.enum)}}
        schema: dict = {"type": self.type}
        if self.enum:
            schema["enum"] = list(self.enum)
        if self.type == "string" and not self.enum:
            schema["maxLength"] = self.max_length
        bounds = {key: getattr(self, key) for key in ("minimum", "maximum") if getattr(self, key) is not None}
        if bounds:
            schema["x-clamp" if self.clamp else "bounds"] = bounds
        schema.update(schema.pop("bounds", {}))
        if self.default is not None:
            schema["default"] = self.default
        return schema

    def notes(self) -> str:
        """What the parser does beyond the schema, in words."""
        notes = []
        sides = [
            (word, bound) for word, bound in (("below", self.minimum), ("above", self.maximum)) if bound is not None
        ]
        if sides and self.clamp:
            taken = ", ".join(f"{word} {bound:g} is taken as {bound:g}" for word, bound in sides)
            notes.append(f"out-of-range values are clamped to the nearest bound: {taken}")
        elif sides:
            notes.append("out-of-range values are a 400: " + " or ".join(f"{word} {bound:g}" for word, bound in sides))
        if self.enum:
            notes.append("other values are a 400")
        if self.type == "string":
            notes.append(f"over {self.max_length} characters is a 400, and so is a control character")
        if self.required:
            notes.append("missing or empty is a 400")
        else:
            notes.append("empty: " + ("not given" if self.default in (None, "") else "the default"))
        return "; ".join(notes).capitalize()

    def openapi(self) -> dict:
        doc = {
            "name": self.name,
            "in": "query",
            "required": self.required,
            "description": f"{self.description}. {self.notes()}.",
            "schema": self.schema(),
        }
        if not self.required:  # an empty value is the default (what an empty form field sends)
            doc["allowEmptyValue"] = True
        if self.listed:
            doc.update(style="form", explode=False)
        if self.example is not None:
            doc["example"] = self.example
        return doc


@dataclass(frozen=True)
class PathParam:
    """A variable of a path rule (``<id>`` or ``<path:unit>``); always required."""

    name: str
    description: str

    def openapi(self) -> dict:
        return {
            "name": self.name,
            "in": "path",
            "required": True,
            "description": self.description,
            "schema": {"type": "string"},
        }


def parse_query(params: Iterable[Param], args: Mapping[str, str]) -> dict:
    """The declared parameters' values in ``args`` (the first value of a repeated one); others are ignored."""
    return {p.name: p.parse(args.get(p.name)) for p in params}


_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")


def rule_variables(rule: str) -> list[str]:
    """The variables of a Flask rule: '/units/<path:unit>' -> ['unit']."""
    return _VARIABLE.findall(rule)


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: '/units/<path:unit>' -> '/units/{unit}'."""
    return _VARIABLE.sub(r"{\1}", rule)
