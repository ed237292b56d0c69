"""Derived views of the graph (networkx), e.g. the agency responsibility graph."""
