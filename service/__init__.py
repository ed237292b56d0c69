"""Service layer: page and API payloads (``payloads``), the SPARQL engine (``sparql``), and what a server
process holds open per build generation (``resources``). No HTTP here: ``web`` maps these to routes."""
