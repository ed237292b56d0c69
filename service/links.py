"""Where PlanKG IRIs live on this site: the page of a node (``/plans/…``, ``/units/…``, ``/agencies/…``,
``/laws/…``), the generic resource page of any node (``/resource/…``), the linked-data address of an IRI
(``/id/…``, ``/ontology``, ``/shapes``) and its RDF twins (``/id/….ttl`` …)."""

from __future__ import annotations

from graph.rdf.iri import domain_of_path, kind_of, local, short
from graph.rdf.ns import ID, PKG
from graph.store.formats import CANONICAL_MIME, FILE_EXTENSIONS

ONTOLOGY_NS = str(PKG)  # https://w3id.org/plankg/ontology#
ONTOLOGY_IRI = ONTOLOGY_NS.rstrip("#")
SHAPES_NS = "https://w3id.org/plankg/shapes#"
SHAPES_IRI = SHAPES_NS.rstrip("#")

# the RDF syntaxes served for linked data, the first is the default; each has one file suffix (the first
# the media-type table gives it) and one media type
LD_FORMATS = ("turtle", "json-ld", "ntriples", "rdf-xml")
LD_SUFFIX = {fmt: next(ext for ext, f in FILE_EXTENSIONS.items() if f == fmt) for fmt in LD_FORMATS}
LD_MIME = {fmt: CANONICAL_MIME[fmt].split(";")[0] for fmt in LD_FORMATS}
LD_NAME = {"turtle": "Turtle", "json-ld": "JSON-LD", "ntriples": "N-Triples", "rdf-xml": "RDF/XML"}


_SLASHES = {"plan": 1, "agency": 2, "law": 1}  # in the IRI after ``id:`` of a plan, an agency, a law


def page_path(iri: str) -> str | None:
    """Site path of the page about ``iri`` (None when there is none).

    >>> page_path("https://w3id.org/plankg/id/plan/0123456789ab/domain/2")
    '/plans/0123456789ab#domain-2'
    >>> page_path("https://w3id.org/plankg/id/plan/0123456789ab/table/1") is None
    True
    """
    kind = kind_of(iri)
    if kind == "unit":
        return "/units/" + local(iri)
    if kind == "domain":
        found = domain_of_path(local(iri))
        assert found is not None
        return f"/plans/{found[0]}#domain-{found[1]}"
    if kind in ("plan", "agency", "law") and local(iri).count("/") == _SLASHES[kind]:
        return {"plan": "/plans/", "agency": "/agencies/", "law": "/laws/"}[kind] + short(iri)
    return None  # the parts of a plan without a page of their own (sections, tables, rows, …) too


def _path_of(iri: str) -> str:
    """The IRI after ``id:``, as a URL path (a ``#`` of a hash IRI sent as ``%23``)."""
    return local(iri).replace("#", "%23")


def id_path(iri: str) -> str | None:
    """The path that dereferences ``iri`` on this site (None for IRIs of other sites).

    >>> id_path("https://w3id.org/plankg/id/source/a.txt#char=1,5")
    '/id/source/a.txt%23char=1,5'
    >>> id_path("https://w3id.org/plankg/ontology#Plan")
    '/ontology'
    """
    if iri.startswith(str(ID)):
        return "/id/" + _path_of(iri)
    if iri == ONTOLOGY_IRI or iri.startswith(ONTOLOGY_NS):
        return "/ontology"
    if iri == SHAPES_IRI or iri.startswith(SHAPES_NS):
        return "/shapes"
    return None


def resource_path(iri: str) -> str | None:
    """The generic resource page of a data IRI (``/resource/…``)."""
    return "/resource/" + _path_of(iri) if iri.startswith(str(ID)) else None


def link_path(iri: str) -> str:
    """Where a link to ``iri`` goes on this site's pages: its page, else its resource page, else the term's
    entry on the ontology or shapes page, else the IRI itself.

    >>> link_path("https://w3id.org/plankg/ontology#Plan")
    '/ontology#Plan'
    """
    if iri.startswith(str(ID)):
        return page_path(iri) or resource_path(iri) or iri
    for ns, path in ((ONTOLOGY_NS, "/ontology"), (SHAPES_NS, "/shapes")):
        if iri.startswith(ns):
            return f"{path}#{iri[len(ns) :]}"
    if iri in (ONTOLOGY_IRI, SHAPES_IRI):
        return "/" + iri.rsplit("/", 1)[-1]
    return iri


def rdf_links(iri: str) -> list[dict]:
    """The RDF twins of ``iri``: ``[{"format", "name", "mime", "url"}]`` (none for IRIs of other sites)."""
    base = id_path(iri)
    if base is None:
        return []
    return [{"format": f, "name": LD_NAME[f], "mime": LD_MIME[f], "url": base + LD_SUFFIX[f]} for f in LD_FORMATS]
