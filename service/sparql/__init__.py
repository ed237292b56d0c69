"""The SPARQL engine behind /sparql: killable query worker processes with deadlines and memory caps
(``runner``, ``worker``), result serialisation (``execute``) and checks on query text (``text``)."""
