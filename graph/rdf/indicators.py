"""Indicators, indicator tables and the indicator-concept scheme in RDF.

Every ``pkg:Indicator`` (a target stated in a unit's text, or a table row) points with
``pkg:indicatorConcept`` to one concept of the SKOS scheme ``id:scheme/indicators``
(``id:indicator-concept/<key>``, keys from ``graph.extract.indicator_concepts``), so that
indicators worded differently in different plans group together. The concepts are shared nodes:
each file contributes the names it uses (``Contributions.indicators``); the scheme lists every
concept of ``indicator_concepts.tsv`` and every other concept met in data, with the names seen as
``skos:altLabel``.

A relative target ("以2020年为基数下降20%") has no ``pkg:targetValue``: ``pkg:changeDirection``
(decrease | increase), ``pkg:changeAmount`` (≥ 0), ``pkg:changeUnit`` and ``pkg:baselineYear``.
``pkg:targetYearInferred`` says whether the target year was taken from the plan period (true) or
written (false).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef

from graph.extract.indicator_concepts import concept_key, concepts
from graph.model import Indicator, IndicatorTable

from . import iri
from .literals import decimal_literal, pick, year_literal, zh
from .ns import ID, PKG, PROV, RDF, RDFS, SKOS

INDICATOR_SCHEME = ID["scheme/indicators"]


def concept_iri(key: str) -> URIRef:
    return ID[f"indicator-concept/{quote(key, safe='-._~')}"]


def indicator(
    b: Any,
    IND: URIRef,
    ind: Indicator | None,
    name: str = "",
    unit: str | None = None,
    default_year: int | None = None,
    default_baseline_year: int | None = None,
) -> None:
    """The triples of one indicator (``b``: the builder of ``graph.rdf.build``, with ``add``,
    ``opt`` and the contributions ``c``)."""
    b.add(IND, RDF.type, PKG.Indicator)
    label = name or (ind.name if ind else "")
    b.opt(IND, PKG.indicatorName, label)
    if label:
        key = (ind.concept if ind else "") or concept_key(label)
        b.c.indicators.setdefault(key, Counter())[label] += 1
        b.add(IND, PKG.indicatorConcept, concept_iri(key))
    b.opt(IND, PKG.unitOfMeasure, unit or (ind.unit if ind else None), Literal)
    year = (ind.year if ind else None) or default_year
    byear = (ind.baseline_year if ind else None) or default_baseline_year
    b.opt(IND, PKG.targetYear, year, year_literal)
    if year:
        b.add(IND, PKG.targetYearInferred, Literal(bool(ind and ind.year and ind.year_inferred)))
    b.opt(IND, PKG.baselineYear, byear, year_literal)
    if ind is None:
        return
    b.opt(IND, PKG.comparator, ind.comparator, Literal)
    b.opt(IND, PKG.targetValue, ind.value, decimal_literal)
    b.opt(IND, PKG.baselineValue, ind.baseline_value, decimal_literal)
    b.opt(IND, PKG.changeDirection, ind.change_direction, Literal)
    b.opt(IND, PKG.changeAmount, ind.change_amount, decimal_literal)
    b.opt(IND, PKG.changeUnit, ind.change_unit, Literal)
    b.opt(IND, PKG.qualitativeTarget, ind.qualitative)
    b.opt(IND, PKG.unitAsWritten, ind.unit_as_written, Literal)
    b.opt(IND, PKG.text, ind.text)


def unit_indicators(b: Any, U: URIRef, indicators: list[Indicator]) -> None:
    """The indicators stated in the text of unit ``U``."""
    for i, ind in enumerate(indicators, 1):
        IND = iri.indicator(U, i)
        b.add(U, PKG.hasIndicator, IND)
        indicator(b, IND, ind)
        b.add(IND, PROV.wasDerivedFrom, U)


def table(b: Any, P: URIRef, t: int, tab: IndicatorTable) -> None:
    """An indicator table of plan ``P`` and its rows (each row an indicator)."""
    T = iri.table(P, t)
    b.add(P, PKG.hasIndicatorTable, T)
    b.add(T, RDF.type, PKG.IndicatorTable)
    b.opt(T, PKG.caption, tab.caption)
    if tab.header:
        b.add(T, PKG.header, zh(" | ".join(tab.header)))
    b.opt(T, PKG.baselineYear, tab.baseline_year, year_literal)
    b.opt(T, PKG.targetYear, tab.target_year, year_literal)
    b.span(T, tab.source)
    for r, row in enumerate(tab.rows, 1):
        R = iri.table_row(T, r)
        b.add(T, PKG.hasRow, R)
        b.add(R, RDF.type, PKG.TableRow)
        b.add(R, PKG.number, Literal(int(row.number)))
        indicator(
            b,
            R,
            row.indicator,
            name=row.name,
            unit=row.unit,
            default_year=tab.target_year,
            default_baseline_year=tab.baseline_year,
        )
        b.opt(R, PKG.baselineText, row.baseline_raw)
        b.opt(R, PKG.targetText, row.target_raw)
        b.span(R, row.source)


def indicator_scheme_graph(seen: Mapping[str, Counter]) -> Graph:
    """The scheme ``id:scheme/indicators``: every listed concept and every concept in ``seen``
    (concept key -> names used, with counts), names seen as ``skos:altLabel``."""
    g = Graph()
    s = INDICATOR_SCHEME
    g.add((s, RDF.type, SKOS.ConceptScheme))
    for text, lang in (("指标概念", "zh"), ("Indicator concepts", "en")):
        g.add((s, SKOS.prefLabel, Literal(text, lang=lang)))
        g.add((s, RDFS.label, Literal(text, lang=lang)))
    listed = concepts()
    for key in sorted(set(listed) | set(seen)):
        c = listed.get(key)
        names = seen.get(key) or Counter()
        pref = c.zh if c else pick(names)
        C = concept_iri(key)
        g.add((C, RDF.type, SKOS.Concept))
        g.add((C, RDF.type, PKG.IndicatorConcept))
        g.add((C, SKOS.inScheme, s))
        g.add((C, SKOS.topConceptOf, s))
        g.add((s, SKOS.hasTopConcept, C))
        g.add((C, SKOS.notation, Literal(key)))
        g.add((C, SKOS.prefLabel, zh(pref)))
        if c and c.en:
            g.add((C, SKOS.prefLabel, Literal(c.en, lang="en")))
        g.add((C, PKG.signedMeasure, Literal(bool(c and c.signed))))
        for alt in set(c.alt if c else ()) | set(names):
            if alt != pref:
                g.add((C, SKOS.altLabel, zh(alt)))
    return g
