"""BM25 over Chinese text (numpy + scipy.sparse), with two tokenisers.

* ``BigramTokenizer`` ("bigram"): every CJK character and every pair of adjacent CJK characters
  (uni+bi), plus lower-cased latin/digit words. No dictionary; robust to unseen terms.
* ``JiebaTokenizer`` ("jieba"): jieba in search mode (words and their sub-words) with a user
  dictionary built from the extraction lexicons (agency names and aliases, law titles and
  aliases), the domain concept labels, ``DOMAIN_TERMS`` and an optional caller-supplied word list.
  The dictionary does not depend on the corpus, so a text's tokens never change when other plans
  are added: ``TokenCache`` keeps them (by tokenizer signature and text) across builds.

Which tokeniser is the default is decided by the relevance benchmark (``bench/search_eval.py``);
see ``DEFAULT_TOKENIZER``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from graph.concepts import POPULATIONS, TOPICS, concept_labels
from graph.extract import laws
from graph.extract.agency_lexicon import agency_lexicon

DEFAULT_TOKENIZER = "bigram"

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[a-z0-9]+(?:\.[0-9]+)?")
# function characters/words that carry no topic on their own
STOP_UNIGRAMS = set("的和与及等在了是为对或其之以于把被将并且也都有中上下各个")
STOP_WORDS = STOP_UNIGRAMS | {
    "以及",
    "进一步",
    "加强",
    "推进",
    "推动",
    "开展",
    "完善",
    "健全",
    "提高",
    "建立",
    "落实",
    "全面",
    "积极",
    "不断",
    "相关",
    "有关",
    "工作",
    "机制",
    "体系",
    "深入",
    "持续",
    "逐步",
    "切实",
    "大力",
    "着力",
    "努力",
}

# domain terms missing from jieba's general dictionary (kept deliberately short and topical), as data
DOMAIN_TERMS_FILE = Path(str(files(__package__) / "domain_terms.tsv"))
DOMAIN_TERMS = tuple(
    w.strip() for w in DOMAIN_TERMS_FILE.read_text(encoding="utf-8").splitlines() if w.strip() and not w.startswith("#")
)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


class Tokenizer(Protocol):
    name: str

    def tokens(self, text: str) -> list[str]: ...


def _digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()[:16]


class BigramTokenizer:
    def __init__(self, unigrams: bool = True):
        self.unigrams = unigrams
        self.name = "bigram" if unigrams else "bigram-only"

    @property
    def signature(self) -> str:
        """Changes whenever the tokens of some text could change."""
        return _digest(self.name, _RUN.pattern, sorted(STOP_UNIGRAMS))

    def tokens(self, text: str) -> list[str]:
        out: list[str] = []
        for m in _RUN.finditer(_norm(text)):
            run = m.group(0)
            if not ("\u3400" <= run[0] <= "\ufaff"):
                out.append(run)
                continue
            if self.unigrams:
                out.extend(ch for ch in run if ch not in STOP_UNIGRAMS)
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        return out


class JiebaTokenizer:
    def __init__(self, user_words: Iterable[str] = (), mode: str = "search"):
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._t = jieba.Tokenizer()
        self._t.initialize()
        self.mode = mode
        self.name = "jieba" if mode == "search" else "jieba-plain"
        self.user_words = sorted({w.strip() for w in (*DOMAIN_TERMS, *user_words) if w and 2 <= len(w.strip()) <= 30})
        for w in self.user_words:
            self._t.add_word(w, freq=max(self._t.suggest_freq(w, tune=False), 50))

    @property
    def signature(self) -> str:
        import jieba

        return _digest(self.name, getattr(jieba, "__version__", ""), self.user_words, sorted(STOP_WORDS))

    def tokens(self, text: str) -> list[str]:
        t = _norm(text)
        words = self._t.cut_for_search(t, HMM=True) if self.mode == "search" else self._t.cut(t, HMM=True)
        out = []
        for w in words:
            w = w.strip()
            if not w or w in STOP_WORDS or not re.search(rf"[{_CJK}a-z0-9]", w):
                continue
            out.append(w)
        return out


def graph_lexicon_words() -> list[str]:
    """Agency names and law titles/aliases from the extraction lexicons (``graph.extract``), if present."""
    words: set[str] = set()
    for t in agency_lexicon():
        words.add(t.zh)
        words.update(t.names)
        words.update(t.aliases)
    for line in Path(laws.ALIAS_FILE).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("canonical\t"):
            continue
        cells = line.split("\t")
        words.add(cells[0])
        if len(cells) > 1:
            words.update(a for a in cells[1].split("|") if a)
    return sorted(w for w in words if w)


def lexicon_words(docs=None) -> list[str]:
    """User-dictionary words: the extraction lexicons plus the domain concept labels. Independent of
    the corpus (``docs`` is ignored), so that adding a plan never changes other texts' tokens."""
    words: set[str] = set(graph_lexicon_words())
    for pop in {k for k, _, _ in POPULATIONS.values()}:
        for topic in TOPICS:
            words.add(concept_labels(f"{pop}-{topic}")[0])
    for law in list(words):
        if law.startswith("中华人民共和国"):
            words.add(law[len("中华人民共和国") :])
    return sorted(w for w in words if w)


def make_tokenizer(name: str, user_words: Iterable[str] = ()) -> Tokenizer:
    if name == "bigram":
        return BigramTokenizer()
    if name == "bigram-only":
        return BigramTokenizer(unigrams=False)
    if name in ("jieba", "jieba-search"):
        return JiebaTokenizer(user_words, mode="search")
    if name == "jieba-plain":
        return JiebaTokenizer(user_words, mode="plain")
    raise ValueError(f"unknown tokenizer {name!r} (bigram | jieba | jieba-plain)")


class BM25:
    """Okapi BM25; doc-term weights precomputed into a CSC matrix, a query is a column sum."""

    def __init__(self, tokenizer: Tokenizer, k1: float = 1.2, b: float = 0.75):
        self.tokenizer = tokenizer
        self.k1, self.b = k1, b
        self.vocab: dict[str, int] = {}
        self.idf = np.zeros(0, np.float32)
        self.W: sp.csc_matrix = sp.csc_matrix((0, 0), dtype=np.float32)
        self.n_docs = 0

    def fit(self, texts: list[str], cache: TokenCache | None = None) -> BM25:
        from itertools import chain, count

        tokens = cache.tokens if cache is not None else self.tokenizer.tokens
        per_text = [tokens(t) for t in texts]
        n = len(texts)
        lengths = np.fromiter(map(len, per_text), np.int64, count=n)
        # term ids without a Python loop: a term's first position, then made contiguous (same order)
        vocab: dict[str, int] = {}
        first = np.fromiter(
            map(vocab.setdefault, chain.from_iterable(per_text), count()), np.int64, count=int(lengths.sum())
        )
        _, ids = np.unique(first, return_inverse=True)
        vocab = {w: i for i, w in enumerate(vocab)}
        rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
        tf = sp.coo_matrix((np.ones(len(ids), np.float32), (rows, ids.ravel())), shape=(n, len(vocab))).tocsr()
        tf.sum_duplicates()
        tf = tf.tocoo()
        df = np.bincount(tf.col, minlength=len(vocab)).astype(np.float32)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        lengths = lengths.astype(np.float32)
        avgdl = float(lengths.mean()) if n else 1.0
        norm = self.k1 * (1 - self.b + self.b * lengths[tf.row] / max(avgdl, 1e-9))
        w = idf[tf.col] * tf.data * (self.k1 + 1) / (tf.data + norm)
        self.W = sp.csc_matrix((w.astype(np.float32), (tf.row, tf.col)), shape=(n, len(vocab)))
        self.vocab, self.idf, self.n_docs = vocab, idf, n
        return self

    def query_tokens(self, query: str, unigrams: bool | None = None) -> list[str]:
        """The query's tokens that occur in the corpus vocabulary (repeats kept).

        Single characters count only when nothing longer matches (``unigrams=None``): in a query of
        several characters, 打 of 丈夫打老婆 or 老 of 老年人 would otherwise match every text that has
        the character. ``unigrams=True`` keeps them, ``False`` drops them always.
        """
        toks = [w for w in self.tokenizer.tokens(query) if w in self.vocab]
        if unigrams is None:
            unigrams = not any(len(w) > 1 for w in toks)
        return toks if unigrams else [w for w in toks if len(w) > 1]

    def query_terms(self, query: str, unigrams: bool | None = None) -> list[str]:
        """Query tokens (deduplicated, in order) that occur in the corpus vocabulary (see ``query_tokens``)."""
        return list(dict.fromkeys(self.query_tokens(query, unigrams)))

    def scores(self, query: str, unigrams: bool | None = None) -> np.ndarray:
        counts: dict[str, float] = {}
        for w in self.query_tokens(query, unigrams):
            counts[w] = counts.get(w, 0.0) + 1.0
        return self.weighted_scores(counts)

    def weighted_scores(self, weights: Mapping[str, float]) -> np.ndarray:
        """BM25 of a query given as {token: weight} (a token's weight is its count in a plain query)."""
        pairs = [(self.vocab[w], float(x)) for w, x in weights.items() if w in self.vocab and x]
        if not pairs:
            return np.zeros(self.n_docs, np.float32)
        idx = np.fromiter((j for j, _ in pairs), np.int64, len(pairs))
        q = np.fromiter((x for _, x in pairs), np.float32, len(pairs))
        return np.asarray(self.W[:, idx] @ q).ravel().astype(np.float32)

    def save(self, directory, prefix: str) -> list[str]:
        d = Path(directory)
        sp.save_npz(d / f"{prefix}.npz", self.W.tocsc(), compressed=False)  # loads faster; size is small
        meta = {
            "tokenizer": self.tokenizer.name,
            "k1": self.k1,
            "b": self.b,
            "n_docs": self.n_docs,
            "vocab": list(self.vocab.keys()),
        }
        if isinstance(self.tokenizer, JiebaTokenizer):
            meta["user_words"] = self.tokenizer.user_words
            meta["mode"] = self.tokenizer.mode
        (d / f"{prefix}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        return [f"{prefix}.npz", f"{prefix}.json"]

    @classmethod
    def load(cls, directory, prefix: str) -> BM25:
        d = Path(directory)
        meta = json.loads((d / f"{prefix}.json").read_text(encoding="utf-8"))
        name = meta["tokenizer"]
        if name.startswith("jieba"):
            tok: Tokenizer = JiebaTokenizer(meta.get("user_words", ()), mode=meta.get("mode", "search"))
        else:
            tok = make_tokenizer(name)
        self = cls(tok, meta["k1"], meta["b"])
        self.W = sp.load_npz(d / f"{prefix}.npz").tocsc().astype(np.float32)
        self.vocab = {w: i for i, w in enumerate(meta["vocab"])}
        self.n_docs = meta["n_docs"]
        df = np.diff(self.W.indptr).astype(np.float32)
        self.idf = np.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        return self


class TokenCache:
    """The tokens of texts under one tokenizer, kept in ``<folder>/tokens-<name>-<signature>.json``
    so that a rebuild tokenizes only new texts. ``save(keep)`` keeps the texts of the last build."""

    def __init__(self, tokenizer: Tokenizer, folder):
        self.tokenizer = tokenizer
        sig = getattr(tokenizer, "signature", "")
        self.path = Path(folder) / f"tokens-{tokenizer.name}-{sig}.json" if folder and sig else None
        self._map: dict[str, list[str]] = {}
        self.used: set[str] = set()
        self.hits = self.misses = 0
        if self.path is not None and self.path.exists():
            try:
                self._map = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._map = {}

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def tokens(self, text: str) -> list[str]:
        k = self.key(text)
        self.used.add(k)
        toks = self._map.get(k)
        if toks is None:
            self.misses += 1
            toks = self._map[k] = self.tokenizer.tokens(text)
        else:
            self.hits += 1
        return toks

    def save(self) -> None:
        """Write the tokens of the texts used since loading (others are dropped), atomically."""
        if self.path is None or (not self.misses and len(self.used) == len(self._map)):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for stale in self.path.parent.glob(f"tokens-{self.tokenizer.name}-*.json"):
            if stale != self.path:
                stale.unlink(missing_ok=True)
        keep = {k: self._map[k] for k in self.used}
        tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(keep, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, self.path)
