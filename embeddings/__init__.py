"""Semantic + lexical search over plan units (goals, measures, key projects).

Modules: ``encoders`` (pluggable dense encoders, embedding cache), ``documents`` (SearchDoc,
duplicate groups), ``lexical`` (BM25, tokenisers, highlights), ``index`` (faiss + BM25 index on
disk), ``search`` (SearchEngine: search / similar / gaps), ``build`` (pipeline entry point).
Nothing is imported here so that ``import embeddings`` stays cheap.
"""
