"""Which query terms a text matches, where (offsets to highlight), and which terms are too common to count."""

from __future__ import annotations

import math
import unicodedata

from .lexical import BM25


def match_terms(
    text: str, terms: list[str], max_df_terms: set[str] | None = None
) -> tuple[list[str], list[tuple[int, int]]]:
    """Which of ``terms`` occur in ``text`` and where: (matched terms, merged [start, end) spans).

    Single characters are used only when no longer term matched; spans are offsets into ``text``
    (the caller escapes and wraps them), merged where they overlap or touch.
    """
    t = unicodedata.normalize("NFKC", text).lower()
    if len(t) != len(text):  # NFKC changed the length: fall back to lower-case only
        t = text.lower()
    ignore = max_df_terms or set()
    multi = [w for w in terms if len(w) >= 2 and w not in ignore]
    single = [w for w in terms if len(w) == 1 and w not in ignore]
    matched, spans = [], []
    for group in (multi, single):
        for w in group:
            start, found = 0, False
            while True:
                i = t.find(w, start)
                if i < 0:
                    break
                spans.append((i, i + len(w)))
                found = True
                start = i + 1
            if found:
                matched.append(w)
        if matched:
            break
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return matched, merged


def highlight_segments(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """Split ``text`` into (segment, is_match) pairs for safe rendering (escape, then wrap)."""
    out, pos = [], 0
    for a, b in spans:
        if a > pos:
            out.append((text[pos:a], False))
        out.append((text[a:b], True))
        pos = b
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def idf_weight(bm: BM25, term: str) -> float:
    j = bm.vocab.get(term)
    return float(bm.idf[j]) if j is not None else 0.0


def common_terms(bm: BM25, max_df_ratio: float = 0.3) -> set[str]:
    """Terms too common to be worth highlighting (in more than ``max_df_ratio`` of documents)."""
    if not bm.n_docs:
        return set()
    limit = math.log(1.0 + (bm.n_docs - max_df_ratio * bm.n_docs + 0.5) / (max_df_ratio * bm.n_docs + 0.5))
    return {w for w, j in bm.vocab.items() if bm.idf[j] < limit}
