"""The route table of ``web.routes``, in process (``client``: the app over a small hash-encoder build).

For every declared resource: ``/api<path>`` and ``<path>.json`` answer the same JSON, the page is HTML, the
OpenAPI document lists it with every declared parameter, and each declared bound behaves as documented.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from web.params import openapi_path
from web.routes import ROUTES, Route

BY_NAME = {r.name: r for r in ROUTES}


@pytest.fixture(scope="module")
def ids(client) -> dict:
    """Real ids of the build: a plan, a unit path, an agency, a law, an indicator name."""
    plan = client.get("/api/plans").json()["items"][0]
    detail = client.get(f"/api/plans/{plan['id']}").json()
    unit = detail["domains"][0]["measures"][0]
    return {
        "plan": plan["id"],
        "unit": unit["url"].removeprefix("/units/"),
        "units": ",".join(u["url"].removeprefix("/units/") for u in detail["domains"][0]["measures"][:2]),
        "agency": client.get("/api/agencies").json()["items"][0]["id"],
        "law": client.get("/api/laws").json()["items"][0]["id"],
        "indicator": client.get("/api/indicators").json()["items"][0]["name"],
    }


# route name -> (path variables, query parameters); the values in <...> are filled from ``ids``
CASES = {
    "home": ({}, {}),
    "search": ({}, {"q": "预防儿童溺水", "k": 3, "kind": "measure"}),
    "similar": ({"unit": "<unit>"}, {"threshold": 0.1}),
    "gaps": ({}, {"q": "反家庭暴力"}),
    "plans": ({}, {"per_page": 3, "page": 2}),
    "plan": ({"id": "<plan>"}, {}),
    "domains": ({}, {}),
    "unit": ({"unit": "<unit>"}, {}),
    "compare": ({}, {"units": "<units>"}),
    "agencies": ({}, {"per_page": 5, "page": 2}),
    "agency": ({"id": "<agency>"}, {}),
    "laws": ({}, {"per_page": 5, "page": 2}),
    "law": ({"id": "<law>"}, {}),
    "indicators": ({}, {"per_page": 5, "page": 2}),
    "indicator_compare": ({}, {"name": "<indicator>"}),
    "agency_graph": ({}, {"view": "domains", "role": "lead,partner"}),
    "sectors": ({}, {"plan_type": "children", "role": "lead,partner"}),
    "sector_units": ({}, {"sector": "health", "per_page": 5}),
    "resource": ({"iri": "concept/children-health"}, {}),
    "ontology": ({}, {}),
    "shapes": ({}, {}),
    "check": ({}, {"against": "plan_type=children"}),
}


def fill(value, ids: dict):
    return ids[value[1:-1]] if isinstance(value, str) and value.startswith("<") else value


def page_path(route: Route, ids: dict) -> str:
    """The route's page path with real ids in its variables."""
    path_vars, _ = CASES[route.name]
    path = openapi_path(route.rule)
    for name, value in path_vars.items():
        path = path.replace("{" + name + "}", quote(fill(value, ids), safe="/:"))
    return path


def params(route: Route, ids: dict) -> dict:
    return {k: fill(v, ids) for k, v in CASES[route.name][1].items()}


def twin(path: str) -> str:
    return path + ".json"


def test_every_route_has_a_case():
    assert set(CASES) == set(BY_NAME)


def test_every_resource_is_declared():
    rules = {r.rule for r in ROUTES}
    assert rules == {
        "/",
        "/search",
        "/similar/<path:unit>",
        "/gaps",
        "/plans",
        "/plans/<id>",
        "/domains",
        "/units/<path:unit>",
        "/compare",
        "/agencies",
        "/agencies/<path:id>",
        "/laws",
        "/laws/<id>",
        "/indicators",
        "/indicators/compare",
        "/agency-graph",
        "/sectors",
        "/sectors/units",
        "/resource/<path:iri>",
        "/ontology",
        "/shapes",
        "/check",
    }


@pytest.mark.parametrize("name", [r.name for r in ROUTES if r.api and r.template])
def test_api_and_json_twin_answer_the_same(client, ids, name):
    route = BY_NAME[name]
    path, query = page_path(route, ids), params(route, ids)
    api = client.get("/api" + path, query)
    assert api.status == 200 and api.content_type.startswith("application/json"), (path, api.text[:300])
    json_twin = client.get(twin(path), query)
    assert json_twin.status == 200 and json_twin.content_type.startswith("application/json")
    assert json_twin.json() == api.json()


@pytest.mark.parametrize("name", [r.name for r in ROUTES if r.template])
def test_page_is_html_with_its_twin_linked(client, ids, name):
    route = BY_NAME[name]
    path, query = page_path(route, ids), params(route, ids)
    page = client.get(path, query)
    assert page.status == 200 and page.content_type.startswith("text/html"), (path, page.text[:300])
    assert 'rel="alternate" type="application/json"' in page.text
    assert client.get(twin(path), query).status == 200


def test_home_twin_is_json(client):
    home = client.get("/.json")
    assert home.status == 200 and home.json()["plans"]


@pytest.fixture(scope="module")
def openapi(client) -> dict:
    return client.get("/api/openapi.json").json()


@pytest.mark.parametrize("name", [r.name for r in ROUTES])
def test_openapi_lists_the_route_with_every_declared_parameter(openapi, name):
    route = BY_NAME[name]
    path = "/api" + openapi_path(route.rule) if route.api else openapi_path(route.rule) + ".json"
    op = openapi["paths"][path]["get"]
    documented = {(p["name"], p["in"]) for p in op["parameters"]}
    declared = {(p.name, "path") for p in route.path} | {(p.name, "query") for p in route.params}
    assert documented == declared
    for p in route.params:
        doc = next(d for d in op["parameters"] if d["name"] == p.name)
        assert doc["required"] == p.required and doc["schema"] == p.schema()
    ref = op["responses"]["200"]["content"]["application/json"]["schema"].get("$ref")
    assert ref is None or ref.rsplit("/", 1)[-1] in openapi["components"]["schemas"]


def test_openapi_keeps_the_hand_written_endpoints(openapi):
    for path in (
        "/api/",
        "/api/openapi.json",
        "/api/health",
        "/api/agency-graph.graphml",
        "/api/agency-graph.gexf",
        "/sparql",
        "/sparql.json",
        "/id/{path}",
        "/api/admin/plans",
        "/api/admin/plans/{id}",
        "/api/admin/preview",
        "/upload.json",
        "/ontology",
        "/shapes",
        "/.well-known/void",
        "/downloads/plankg.nq",
        "/downloads/plankg.ttl",
    ):
        assert path in openapi["paths"], path


def bounded(route: Route):
    return [p for p in route.params if p.minimum is not None or p.maximum is not None]


BOUNDS = [(r.name, p.name) for r in ROUTES if r.api for p in bounded(r)]


@pytest.mark.parametrize("name,param", BOUNDS)
def test_declared_bounds_behave_as_documented(client, ids, openapi, name, param):
    route = BY_NAME[name]
    p = next(x for x in route.params if x.name == param)
    doc = next(
        d for d in openapi["paths"]["/api" + openapi_path(route.rule)]["get"]["parameters"] if d["name"] == param
    )
    path, query = "/api" + page_path(route, ids), params(route, ids)
    for bound, beyond in ((p.minimum, -1), (p.maximum, 1)):
        if bound is None:
            continue
        # a clamped bound is no constraint of the schema (any value is accepted): it is in x-clamp
        assert (doc["schema"]["x-clamp"] if p.clamp else doc["schema"])["minimum" if beyond < 0 else "maximum"] == bound
        r = client.get(path, {**query, param: bound + beyond})
        if p.clamp:
            assert "clamped to the nearest bound" in doc["description"]
            assert r.status == 200 and r.json()[param] == bound, (param, r.text[:200])
        else:
            assert "out-of-range values are a 400" in doc["description"].lower()
            assert r.status == 400 and param in r.json()["error"]


TEXTS = [(r.name, p.name) for r in ROUTES if r.api for p in r.params if p.type == "string"]


@pytest.mark.parametrize("name,param", TEXTS)
def test_text_length_and_closed_values_behave_as_documented(client, ids, openapi, name, param):
    route = BY_NAME[name]
    p = next(x for x in route.params if x.name == param)
    doc = next(
        d for d in openapi["paths"]["/api" + openapi_path(route.rule)]["get"]["parameters"] if d["name"] == param
    )
    path, query = "/api" + page_path(route, ids), params(route, ids)
    too_long = client.get(path, {**query, param: "x" * (p.max_length + 1)})
    assert too_long.status == 400 and f"at most {p.max_length}" in too_long.json()["error"]
    assert f"over {p.max_length} characters is a 400" in doc["description"].lower()
    if p.enum:
        assert doc["schema"].get("enum", doc["schema"].get("items", {}).get("enum")) == list(p.enum)
        unknown = client.get(path, {**query, param: "no-such-value"})
        assert unknown.status == 400 and param in unknown.json()["error"]
    if p.required:
        missing = client.get(path, {k: v for k, v in query.items() if k != param})
        assert missing.status == 400 and f"{param} is required" in missing.json()["error"]
        assert doc["required"] is True


def test_integer_parameters_refuse_non_integers(client):
    for route in ROUTES:
        for p in route.params:
            if p.type == "integer" and route.api:
                r = client.get("/api" + route.rule, {p.name: "1.5"})
                assert r.status == 400 and f"{p.name} must be an integer" in r.json()["error"]


# ----------------------------------------------------------------------------- the unified behaviours


@pytest.mark.parametrize("name", [r.name for r in ROUTES if r.page_size])
def test_one_page_size_per_list(client, name):
    route = BY_NAME[name]
    api = client.get("/api" + route.rule).json()
    assert api["per_page"] == route.page_size == client.get(route.rule + ".json").json()["per_page"]


def test_pagination_links_follow_the_json_and_the_pages_stay_on_pages(client):
    first = client.get("/plans.json", {"per_page": 3}).json()
    assert first["next"].startswith("/api/plans?") and first["prev"] is None
    second = client.get(first["next"]).json()
    assert second["page"] == 2 and second["prev"].startswith("/api/plans?")
    html = client.get("/plans", {"per_page": 3}).text
    assert 'href="/plans?' in html and "/api/plans" not in html.split("<main", 1)[-1]


def test_indicator_compare_without_a_name_is_400_everywhere(client):
    for path in ("/api/indicators/compare", "/indicators/compare.json", "/indicators/compare"):
        r = client.get(path)
        assert r.status == 400 and "name is required" in r.text, path


def test_search_without_a_query_has_the_form_choices_only(client):
    api = client.get("/api/search").json()
    assert api == client.get("/search.json").json()
    assert api["results"] == [] and api["plans"] and api["domains"] and api["k"] == 10 and api["mode"] == "hybrid"


def test_agency_graph_downloads_take_the_same_parameters(client):
    assert client.get("/api/agency-graph.graphml", {"view": "galaxy"}).status == 400
    assert client.get("/api/agency-graph.gexf", {"role": "lead,king"}).status == 400
    assert client.get("/api/agency-graph.graphml", {"view": "domains"}).status == 200


def test_api_index_links_the_list_resources(client):
    links = client.get("/api/").json()["links"]
    for route in ROUTES:
        if route.api and not route.path:
            assert links[route.name] == "/api" + route.rule
