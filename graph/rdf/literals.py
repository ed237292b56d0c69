"""Literals as PlanKG writes them: Chinese text ``@zh``, English ``@en``, clean xsd:decimal, xsd:gYear."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from rdflib import Literal

from .ns import XSD


def zh(text: str) -> Literal:
    """Text quoted or extracted from a plan, or written about it in Chinese (ontology/README.md: language tags)."""
    return Literal(text, lang="zh")


def en(text: str) -> Literal:
    """Text PlanKG writes in English: labels, explanations (title evidence, resolution notes, notices)."""
    return Literal(text, lang="en")


def tagged(text: str) -> Literal:
    """A message that may be either (a parse notice: PlanKG's own in English, or a plan's notice quoted):
    @zh when it contains Han characters, else @en."""
    return zh(text) if any("\u4e00" <= ch <= "\u9fff" for ch in text) else en(text)


def decimal_literal(v: int | float | Decimal) -> Literal | None:
    """xsd:decimal with a clean lexical form (95.0 -> "95", 0.1 -> "0.1", 1e-05 -> "0.00001");
    None for NaN / infinity (not representable as xsd:decimal)."""
    d = v if isinstance(v, Decimal) else Decimal(repr(float(v))) if not isinstance(v, int) else Decimal(v)
    if not d.is_finite():
        return None
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    if s in ("-0", ""):
        s = "0"
    return Literal(s, datatype=XSD.decimal)


def year_literal(y: int) -> Literal:
    return Literal(f"{int(y):04d}", datatype=XSD.gYear)


def pick(counter: Counter) -> str:
    """Most frequent value, ties broken by the smallest; order independent."""
    return min(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0]
