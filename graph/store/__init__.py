"""RDF stores for PlanKG.

``open_store(url_or_path)``:

* ``":memory:"`` or None -> in-memory ``OxigraphStore``;
* ``http://…`` / ``https://…`` -> ``SparqlHttpStore`` (SPARQL 1.1 Protocol / Update / Graph Store
  Protocol; endpoint layout of ``oxigraph serve``: ``<url>/query``, ``/update``, ``/store``; other
  engines: keyword options, or JSON in env ``PLANKG_STORE_OPTIONS``, e.g.
  ``{"flavor": "virtuoso", "username": "dba", "password": "…"}``, see ``graph/store/http.py``);
* anything else -> a persistent ``OxigraphStore`` in that directory (created when missing).
"""

from __future__ import annotations

import json
import os

from config import value

from .base import (
    QueryError,
    QueryTimeout,
    ReadOnlyStore,
    SelectResult,
    Store,
    StoreError,
    UnsupportedMediaType,
    negotiate,
)
from .http import SparqlHttpStore
from .oxigraph import OxigraphStore

__all__ = [
    "open_store",
    "Store",
    "OxigraphStore",
    "SparqlHttpStore",
    "SelectResult",
    "StoreError",
    "QueryError",
    "QueryTimeout",
    "ReadOnlyStore",
    "UnsupportedMediaType",
    "negotiate",
]


def open_store(
    url_or_path: str | os.PathLike | None = ":memory:", *, auth: str | None = None, read_only: bool = False, **kwargs
) -> Store:
    """Open a store. ``auth``: value of the Authorization header (remote stores only; ignored for
    local ones). ``read_only``: open a local directory read-only (several processes may)."""
    if url_or_path is None or str(url_or_path) == ":memory:":
        return OxigraphStore(None, **kwargs)
    s = os.fspath(url_or_path)
    if s.startswith(("http://", "https://")):
        options = json.loads(value("PLANKG_STORE_OPTIONS") or "{}")
        options.update(kwargs)
        return SparqlHttpStore(s, auth=auth, **options)
    if "://" in s:
        raise ValueError(f"unsupported store URL scheme: {s!r}")
    return OxigraphStore(s, read_only=read_only, **kwargs)
