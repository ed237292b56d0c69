"""The graph stages, in the order data flows: ``parse`` (files → plan model, ``model``), ``extract``
(agencies, laws, indicators), ``rdf`` (model → triples, SHACL), ``store`` (embedded Oxigraph or a
remote SPARQL endpoint); ``views`` (networkx agency graphs) and ``stats`` read a built store."""
