"""The PlanKG ontology, SHACL shapes and domain concept scheme, shipped as package data
(read with importlib.resources)."""
