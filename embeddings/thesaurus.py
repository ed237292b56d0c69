"""Query understanding as data: everyday wording → plan vocabulary (``thesaurus.tsv``).

People search with the words they use (家暴, 网瘾, 坐月子); the plans use official vocabulary
(家庭暴力, 沉迷网络, 产后). ``Thesaurus.expand`` finds the everyday variants in a query — NFKC-normalised and
case-folded, longest match first, left to right, without overlaps — and returns the plan terms each one
means; ``expanded_text`` is the query plus the terms it does not already contain, which is what the dense
encoder and BM25 get. A plan term of the file that the query already spells out is read as a whole, so
no variant matches inside it (留守 inside 留守儿童), and an expansion whose terms are all in the query
is dropped.

>>> th = load_thesaurus()
>>> [(e.matched, e.start, e.end, e.label) for e in th.expand("他总打老婆怎么办")]
[('打老婆', 2, 5, '家庭暴力')]
>>> th.expanded_text("丈夫打老婆")
'丈夫打老婆 家庭暴力 反家庭暴力'
>>> th.expand("反家庭暴力")
[]
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from graph.concepts import TOPICS

THESAURUS_FILE = Path(str(files(__package__) / "thesaurus.tsv"))
COLUMNS = ("everyday", "plan_terms", "domain", "note")
POPULATIONS = ("children", "women")
DOMAINS = frozenset((*POPULATIONS, "both", *TOPICS, *(f"{p}-{t}" for p in POPULATIONS for t in TOPICS)))


@dataclass(frozen=True)
class Entry:
    """One line of the file: everyday variants → plan terms (the first is the preferred label)."""

    everyday: tuple[str, ...]
    terms: tuple[str, ...]
    domain: str
    note: str
    line: int

    @property
    def label(self) -> str:
        return self.terms[0]


@dataclass(frozen=True)
class Expansion:
    """An everyday variant found in a query and the plan vocabulary it adds."""

    matched: str  # the query's own text that matched an everyday variant
    start: int  # [start, end): offsets in the query as given
    end: int
    terms: tuple[str, ...]  # plan vocabulary to add (not already in the query), preferred first
    label: str  # what to show: the entry's preferred plan term


def normalize(text: str) -> str:
    """NFKC and case folding, character by character so that offsets stay those of ``text``."""
    return "".join([_FOLDED.get(ch) or _fold(ch) for ch in text])


def _fold(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch).casefold()
    folded = folded if len(folded) == 1 else ch  # a character NFKC expands (㈠, ﬁ) stays as it is
    if len(_FOLDED) < 100_000:
        _FOLDED[ch] = folded
    return folded


_FOLDED: dict[str, str] = {}
END = ""  # the trie key marking the end of a variant or term (characters are never empty)


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|"))


def parse_entries(text: str, source: str) -> list[Entry]:
    """The entries of a thesaurus file's text; ``ValueError`` naming ``source`` and the line on any fault."""
    entries: list[Entry] = []
    seen: dict[str, tuple[int, tuple[str, ...]]] = {}  # normalised variant -> (line, its terms)
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#") or raw.startswith("everyday\t"):
            continue

        def fail(problem: str, number: int = number) -> ValueError:
            return ValueError(f"{source}, line {number}: {problem}")

        cells = raw.split("\t")
        if not 2 <= len(cells) <= len(COLUMNS):
            raise fail(f"{len(cells)} tab-separated columns, expected 2 to {len(COLUMNS)} ({', '.join(COLUMNS)})")
        everyday, terms = _split(cells[0]), _split(cells[1])
        domain, note = (cells[2:] + ["", ""])[:2]
        for column, cell, values in (("everyday", cells[0], everyday), ("plan_terms", cells[1], terms)):
            if not cell.strip():
                raise fail(f"empty {column} field")
            if not all(values):
                raise fail(f"empty alternative in the {column} field (a stray '|')")
        if len(set(terms)) != len(terms):
            raise fail("a plan term is listed twice")
        domain = domain.strip()
        if domain and domain not in DOMAINS:
            raise fail(f"unknown domain {domain!r} (children, women, both, a topic or a population-topic key)")
        folded_terms = {normalize(t) for t in terms}
        for variant in everyday:
            key = normalize(variant)
            if folded_terms <= {key}:
                raise fail(f"everyday variant {variant!r} maps only to itself")
            if key in seen:
                first, other = seen[key]
                kind = "duplicate" if other == terms else "conflicting"
                raise fail(f"{kind} everyday variant {variant!r}: already on line {first} ({'|'.join(other)})")
            seen[key] = (number, terms)
        entries.append(Entry(everyday, terms, domain, note.strip(), number))
    return entries


class Thesaurus:
    """Everyday variants → plan terms, matched longest first; build with ``load`` or ``load_thesaurus``."""

    def __init__(self, entries: list[Entry]) -> None:
        self._entries = list(entries)
        self._pairs = [tuple((t, normalize(t)) for t in e.terms) for e in self._entries]  # (term, folded)
        # a character trie over every plan term (value -1: read as a whole, adds nothing) and every everyday
        # variant (value: the index of its entry; a variant that is also a plan term stays a variant)
        self._trie: dict[str, Any] = {}
        for pairs in self._pairs:
            for _, term in pairs:
                self._insert(term, -1, replace=False)
        for index, entry in enumerate(self._entries):
            for variant in entry.everyday:
                self._insert(normalize(variant), index, replace=True)

    def _insert(self, key: str, value: int, replace: bool) -> None:
        node = self._trie
        for ch in key:
            node = node.setdefault(ch, {})
        if replace or END not in node:
            node[END] = value

    @classmethod
    def load(cls, path: str | Path | None = None) -> Thesaurus:
        """The thesaurus in ``path`` (read each time), or the packaged ``thesaurus.tsv`` (read once)."""
        if path is None:
            return load_thesaurus()
        source = Path(path)
        return cls(parse_entries(source.read_text(encoding="utf-8-sig"), str(source)))

    def entries(self) -> list[Entry]:
        """Every entry in file order (for docs, tests and a future SKOS export)."""
        return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def expand(self, query: str) -> list[Expansion]:
        """The everyday variants of ``query``, left to right, each with the plan terms it adds."""
        text = normalize(query)
        found: list[Expansion] = []
        root, entries, pairs = self._trie, self._entries, self._pairs
        i, n = 0, len(text)
        while i < n:
            node: Any = root.get(text[i])
            if node is None:
                i += 1
                continue
            j, end, value = i + 1, 0, -1
            while True:
                if END in node:
                    end, value = j, node[END]
                if j == n or (node := node.get(text[j])) is None:
                    break
                j += 1
            if not end:
                i += 1
                continue
            if value >= 0:
                entry = entries[value]
                new = tuple([t for t, f in pairs[value] if f not in text])
                if new:
                    found.append(Expansion(query[i:end], i, end, new, entry.terms[0]))
            i = end
        return found

    def expanded_text(self, query: str) -> str:
        """``query`` followed by the plan terms its expansions add, each once."""
        added = list(dict.fromkeys(t for e in self.expand(query) for t in e.terms))
        return " ".join([query, *added]) if added else query


@lru_cache(maxsize=4)
def load_thesaurus(path: str | Path | None = None) -> Thesaurus:
    """The packaged thesaurus (or the one in ``path``), parsed once and cached."""
    return Thesaurus.load(path if path is not None else THESAURUS_FILE)
