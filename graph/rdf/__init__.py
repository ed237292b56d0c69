"""RDF side of PlanKG: ontology namespaces, stable IRIs, the builder and SHACL validation."""

from .build import plans_to_graph, to_ntriples_sorted
from .ns import ID, PKG
from .validate import ShaclViolationError, assert_valid, validate
from .vocab import domain_scheme_graph, ontology_graph, shapes_graph

__all__ = [
    "plans_to_graph",
    "to_ntriples_sorted",
    "validate",
    "assert_valid",
    "ShaclViolationError",
    "ontology_graph",
    "shapes_graph",
    "domain_scheme_graph",
    "PKG",
    "ID",
]
