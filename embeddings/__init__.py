"""Semantic + lexical search over plan units (goals, measures, key projects).

Modules, in the order data flows through them: ``documents`` (SearchDoc, duplicate groups),
``encoders`` (pluggable dense encoders) and ``embedding_cache`` (vectors by text), ``lexical`` (BM25,
tokenisers, highlights), ``index`` (faiss + BM25 index on disk), ``build`` (the entry point of the build
layer), ``filters`` and ``results`` (what a search takes and returns), ``engine`` (SearchEngine) with
``ranking`` (signals and fusion), ``thesaurus`` (everyday words → plan terms), ``pages`` (``query``: paging,
totals) with ``floor`` (the relevance floor; ``calibration`` re-derives it) and ``grouping``
(near-duplicates), and ``counterparts`` (similar units across plans, topic coverage).
Nothing is imported here so that ``import embeddings`` stays cheap.
"""
