"""Payloads of the linked-data resources: the description of a node (``/id/…``, ``/resource/…``), the ontology
and shapes pages, the VoID description and the dumps, on the request's generation (counts and pages that
take many queries are kept per generation)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from graph.rdf.ns import DCTERMS

from .. import dumps
from ..describe import Description, candidates, describe, find, labels
from ..rdfview import plans_around, resource_view
from ..resources import Resources
from ..vocabulary import ontology_page, shapes_page
from ..void import VoidStats, void_graph, void_stats
from .common import NotFound


def find_node(res: Resources, local_id: str, raw_local: str | None = None) -> str | None:
    """The IRI of the node a path after ``/id/`` names (None: the store does not know it)."""
    return find(res.store(), candidates(local_id, raw_local))


def description(res: Resources, iri: str) -> Description:
    found = describe(res.store(), iri)
    if found is None:
        raise NotFound(f"no resource {iri}")
    return found


def resource_detail(res: Resources, local_id: str, raw_local: str | None = None) -> dict:
    """The generic resource page of any node: its types, properties with values, incoming links."""
    iri = find_node(res, local_id, raw_local)
    if iri is None:
        raise NotFound(f"no resource {local_id!r} in PlanKG")
    d = description(res, iri)
    plans: dict[str, str] = {}
    for q in labels(res.store(), plans_around(d)):
        if q.predicate.value == str(DCTERMS.title) and isinstance(q.subject, ox.NamedNode):
            plans[q.subject.value] = str(getattr(q.object, "value", ""))
    return resource_view(d, plans)


def stats(res: Resources) -> VoidStats:
    """VoID counts of the generation's store (kept until the next generation or update)."""
    return res.cached("void-stats", lambda: void_stats(res.store()))


def void_description(res: Resources, root: str) -> Graph:
    """The VoID description for the site at ``root``."""
    return void_graph(stats(res), root=root, manifest=res.manifest(), generation=res.generation.name)


def ontology_detail(res: Resources) -> dict:
    """The ontology page: terms of ``ontology/plankg.ttl`` with counts and an example each from the store."""

    def compute() -> dict:
        s = stats(res)
        return ontology_page(res.store(), (s.classes, s.properties))

    return res.cached("ontology-page", compute)


def shapes_detail(res: Resources) -> dict:
    return res.cached("shapes-page", shapes_page)


def dump_path(res: Resources, name: str) -> Path:
    """The gzip'd dump ``name`` (``plankg.nq`` | ``plankg.ttl``) of the generation, written when missing."""
    if name not in dumps.DUMPS:
        raise NotFound(f"no download {name!r}")
    gen = res.generation
    return dumps.dump_file(res.store(), gen.dumps_folder(), name, version=lambda: gen.data_version)
