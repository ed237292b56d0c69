"""Near-duplicate texts and grouping of ranked hits.

Word-for-word copies already share one text group (``documents.group_documents``). Many plans also
copy a national template and edit it a little (a place name, a clause added or dropped, a comma);
those are near-duplicates: character 3-gram Jaccard similarity of the normalised texts (NFKC, no
punctuation or spaces) of at least ``NEAR_JACCARD``.

Why 3-gram Jaccard at 0.6 and not a cosine: on the bundled corpus every pair of distinct texts at 0.55
or more (23 pairs, all read) is a local adaptation of the same template sentence, while the encoders'
cosines do not separate copies from siblings: e5 puts 2,339 pairs at 0.95 or more, most of them
different measures on one topic (its unrelated pairs average 0.90), and m3e-small reaches 0.95 for
pairs sharing 4 % of their 3-grams. 0.6 keeps a margin above the lowest template pair read.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import scipy.sparse as sp

NEAR_JACCARD = 0.6
_DROP = re.compile(r"[\W_]+", re.UNICODE)  # punctuation, spaces and symbols


def shingles(text: str, n: int = 3) -> set[str]:
    """Character n-grams of the normalised text (the whole text when it is shorter than n)."""
    t = _DROP.sub("", unicodedata.normalize("NFKC", text).lower())
    return {t[i : i + n] for i in range(len(t) - n + 1)} or ({t} if t else set())


def near_duplicates(texts: list[str], threshold: float = NEAR_JACCARD, block: int = 2048) -> list[frozenset[int]]:
    """For each text, the other texts whose 3-gram Jaccard similarity with it is at least ``threshold``."""
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, t in enumerate(texts):
        for s in shingles(t):
            rows.append(i)
            cols.append(vocab.setdefault(s, len(vocab)))
    n = len(texts)
    X = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n, max(1, len(vocab))))
    size = np.asarray(X.sum(axis=1)).ravel()
    out: list[set[int]] = [set() for _ in range(n)]
    XT = X.T.tocsc()
    for start in range(0, n, block):
        inter = (X[start : start + block] @ XT).tocoo()  # shared 3-grams of every pair with one in common
        i = inter.row + start
        keep = i != inter.col
        i, j, shared = i[keep], inter.col[keep], inter.data[keep]
        jac = shared / np.maximum(size[i] + size[j] - shared, 1)
        for a, b in zip(i[jac >= threshold].tolist(), j[jac >= threshold].tolist(), strict=True):
            out[a].add(b)
    return [frozenset(s) for s in out]


def collapse(ranked: list[int], neighbours: list[frozenset[int]]) -> list[tuple[int, list[int]]]:
    """Ranked groups with near-duplicates folded into the best-ranked one they resemble:
    [(group, [near groups, in rank order])]. A group joins a shown hit only if it is itself near that
    hit's text (no chains: A~B and B~C do not put C under A unless A~C)."""
    shown: list[tuple[int, list[int]]] = []
    where: dict[int, int] = {}
    for g in ranked:
        home = min((where[h] for h in neighbours[g] if h in where), default=None)  # the best-ranked one
        if home is None:
            where[g] = len(shown)
            shown.append((g, []))
        else:
            shown[home][1].append(g)
    return shown
