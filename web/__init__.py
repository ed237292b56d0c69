"""HTTP only: the Flask app (``app.create_app``), its routes, the SPARQL 1.1 protocol endpoint, the admin API,
templates and static assets. What the answers contain comes from ``service``."""
