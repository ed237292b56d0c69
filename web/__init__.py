"""PlanKG web service: JSON API, SPARQL endpoint and pages (Flask blueprints; see server.py)."""
