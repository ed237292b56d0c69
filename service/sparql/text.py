"""Light lexical inspection of SPARQL text (no full parse): query form, SERVICE, USING injection.

The tokenizer skips comments, strings and IRIs, so keywords inside them are never seen, and tracks
``{}`` depth so that sub-queries are told apart from the top level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r'''
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
               |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040\u00c0-\U000effff]+)
  | (?P<word>(?:[A-Za-z_\u00c0-\U000effff][\w.\-\u00b7\u00c0-\U000effff]*)?:
              (?:[\w.\-:%\u00b7\u00c0-\U000effff]|\\[_~.\-!$&'()*+,;=/?\#@%])*
           |[A-Za-z_][\w\-]*)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<other>.)
''',
    re.VERBOSE | re.DOTALL,
)


@dataclass
class Token:
    kind: str
    value: str
    start: int
    end: int
    depth: int  # brace depth before this token

    @property
    def keyword(self) -> str:
        return self.value.upper() if self.kind == "word" and ":" not in self.value else ""


def tokens(text: str) -> list[Token]:
    out, depth = [], 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        assert kind is not None  # every alternative of _TOKEN is a named group
        if kind in ("ws", "comment"):
            continue
        out.append(Token(kind, m.group(), m.start(), m.end(), depth))
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
    return out


_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


def query_form(text: str) -> str | None:
    """'select', 'ask' or 'graph' (CONSTRUCT/DESCRIBE), from the first query keyword."""
    for t in tokens(text):
        if t.keyword in _FORMS:
            return _FORMS[t.keyword]
    return None


def uses_service(text: str) -> bool:
    """True when the text may contain the SERVICE keyword (federated query).

    Deliberately conservative, because the engine's parser is scannerless and needs no space after
    a keyword: ``SERVICE:x``, ``SERVICESILENT<…>`` and ``trueSERVICE<…>`` all reach it as SERVICE.
    So a bare word that contains SERVICE counts, and so does the prefix part of a prefixed name.
    And ``FILTER(1<2)SERVICE#>`` looks like one IRI to a context-free tokenizer while the engine
    reads a comparison, the keyword and a comment: an "IRI" holding ``)`` and then SERVICE counts.
    (The query worker processes also cannot open network sockets: see ``service.sparql.worker``.)
    """
    for t in tokens(text):
        if t.kind == "word":
            head = t.value.split(":", 1)[0] if ":" in t.value else t.value
            if "SERVICE" in head.upper():
                return True
        elif t.kind == "iri" and _IRI_HIDING_SERVICE.search(t.value):
            return True
    return False


_IRI_HIDING_SERVICE = re.compile(r"\).*service", re.IGNORECASE | re.DOTALL)


def uses_load(text: str) -> bool:
    """True when an update contains LOAD (it fetches a document from the web)."""
    return any(t.keyword == "LOAD" for t in tokens(text))


def has_dataset_clause(update: str) -> bool:
    """USING / USING NAMED / WITH at the top level of an update."""
    return any(t.depth == 0 and t.keyword in ("USING", "WITH") for t in tokens(update))


def add_using(update: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """Apply the protocol's using-graph-uri / using-named-graph-uri: insert USING clauses before
    the WHERE of every top-level DELETE/INSERT … WHERE operation (not ``DELETE WHERE`` shorthand).
    Raises ValueError when the update already names its dataset (USING or WITH)."""
    if not default_graphs and not named_graphs:
        return update
    if has_dataset_clause(update):
        raise ValueError("using-graph-uri/using-named-graph-uri cannot be combined with USING or WITH")
    clause = " ".join([f"USING <{g}>" for g in default_graphs] + [f"USING NAMED <{g}>" for g in named_graphs])
    toks = tokens(update)
    cuts = [
        t.start
        for i, t in enumerate(toks)
        if t.depth == 0 and t.keyword == "WHERE" and not (i and toks[i - 1].keyword == "DELETE")
    ]
    for pos in reversed(cuts):
        update = f"{update[:pos]}{clause} {update[pos:]}"
    return update
