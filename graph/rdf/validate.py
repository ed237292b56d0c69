"""SHACL validation of a PlanKG graph (``ontology/shapes.ttl``) with pyshacl.

``validate(graph) -> (conforms, report_text, violations)``; ``assert_valid(graph)`` raises
``ShaclViolationError`` when there is at least one sh:Violation (a build must fail then).
sh:Warning results are reported in the text but neither count as violations nor break conformance.
"""

from __future__ import annotations

from rdflib import Graph

from .ns import RDF, SH
from .vocab import ontology_graph, shapes_graph

__all__ = ["validate", "assert_valid", "ShaclViolationError"]


class ShaclViolationError(ValueError):
    def __init__(self, report_text: str, violations: int):
        self.report_text = report_text
        self.violations = violations
        head = "\n".join(report_text.splitlines()[:60])
        super().__init__(f"SHACL validation failed with {violations} violation(s):\n{head}")


def validate(graph: Graph, *, shapes: Graph | None = None, ontology: Graph | None = None) -> tuple[bool, str, int]:
    """Validate ``graph`` against the PlanKG shapes. Returns (conforms, report_text, violations)."""
    import pyshacl

    conforms, report_graph, report_text = pyshacl.validate(
        graph,
        shacl_graph=shapes if shapes is not None else shapes_graph(),
        ont_graph=ontology if ontology is not None else ontology_graph(),
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=False,
        meta_shacl=False,
        inplace=False,
    )
    violations = sum(
        1
        for r in report_graph.subjects(RDF.type, SH.ValidationResult)
        if (r, SH.resultSeverity, SH.Violation) in report_graph
    )
    return bool(conforms) and violations == 0, report_text, violations


def assert_valid(graph: Graph) -> None:
    conforms, text, violations = validate(graph)
    if not conforms:
        raise ShaclViolationError(text, violations)
