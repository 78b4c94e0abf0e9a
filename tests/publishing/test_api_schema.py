"""The published OpenAPI schema documents the API's conventions (issue 16, "API consistency"):
cursor pages with a bounded page size, `q` for search, numbers as numbers, every error answer
with the one envelope, integer ids, readable component names, no padlock on public reads."""

import pytest

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/destinations/", "/api/v1/changes/", "/api/v1/notices/", "/api/v1/sources/"]


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def _parameters(schema, path, method="get"):
    return {p["name"]: p for p in schema["paths"][path][method].get("parameters", [])}


def _resolve(schema, ref):
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


# --- 2. cursor pagination ----------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
def test_every_list_is_documented_as_cursor_paginated_with_a_bounded_page_size(schema, path):
    parameters = _parameters(schema, path)

    assert "page" not in parameters
    assert parameters["cursor"]["schema"]["type"] == "string"
    page_size = parameters["page_size"]
    assert page_size["schema"] == {"type": "integer", "minimum": 1, "default": 50}
    assert "200" in page_size["description"] and "treated as 200" in page_size["description"]
    ok = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    page = _resolve(schema, ok["schema"]["$ref"])
    assert set(page["properties"]) == {"next", "previous", "results"}


def test_the_conventions_are_stated_in_the_schema_description(schema):
    description = schema["info"]["description"]
    assert "cursor-paginated" in description and "`page_size` from 1 to 200" in description
    assert "parameters the endpoint does not know are ignored" in description
    assert "Search is `q`" in description


# --- 3. one name for search --------------------------------------------------------------------


def test_search_is_q_and_documented(schema):
    parameters = _parameters(schema, "/api/v1/destinations/")

    assert "search" not in parameters
    assert parameters["q"]["schema"]["type"] == "string"
    assert "alias" in parameters["q"]["description"]
    for path, _, operation in _operations(schema):
        names = {p["name"] for p in operation.get("parameters", [])}
        assert "search" not in names, path


# --- 5. numbers are numbers --------------------------------------------------------------------


def test_coordinates_are_numbers_in_the_schema(schema):
    detail = schema["components"]["schemas"]["DestinationDetail"]["properties"]
    for name in ("latitude", "longitude"):
        assert detail[name]["type"] == "number"
        assert detail[name].get("format") != "decimal"


def test_a_status_is_one_component_wherever_it_appears(schema):
    components = schema["components"]["schemas"]
    listed = components["Destination"]["properties"]["statuses"]["items"]["$ref"]
    history = components["History"]["properties"]["statuses"]["items"]["$ref"]
    assert listed == history == "#/components/schemas/AudienceStatus"
    detail = components["AudienceStatusWithEvidence"]["properties"]
    assert set(detail) == set(components["AudienceStatus"]["properties"]) | {"evidence"}


# --- 6. errors, ids, names, security -----------------------------------------------------------


def test_every_operation_documents_its_error_answers_with_the_envelope(schema):
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"error"}
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        expected = {"400", "401", "429"} | ({"404"} if "{" in path else set())
        if operation.get("security") != []:
            expected.add("403")
        assert expected <= set(responses), (method, path)
        for code in expected:
            content = responses[code]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Error"}, (method, path, code)


def test_integer_ids_are_typed_as_integers(schema):
    (pk,) = schema["paths"]["/api/v1/notices/{id}/"]["get"]["parameters"]
    assert pk["in"] == "path" and pk["schema"]["type"] == "integer"
    for name in ("Change", "NoticeOut", "NoticeSummaryOut", "Override"):
        assert schema["components"]["schemas"][name]["properties"]["id"]["type"] == "integer"


def test_component_names_are_meaningful(schema):
    names = set(schema["components"]["schemas"])

    assert not {n for n in names if n.startswith("_")}
    assert not names & {"BlankEnum", "NullEnum"}
    assert {"SourceKindEnum", "NoticeStateEnum"} <= names  # not SourceOutKindEnum, StateEnum
    assert not names & {"SourceOutKindEnum", "StateEnum"}
    assert {"Error", "DestinationExplanation", "OverrideRequest", "Override"} <= names


def test_public_operations_carry_no_padlock_and_writes_do(schema):
    security = {(m, p): op.get("security") for p, m, op in _operations(schema)}

    for (method, path), requirement in security.items():
        if path.startswith("/api/v1/webhooks/"):  # an account's own endpoints, reads included
            assert requirement == [{"tokenAuth": []}, {"cookieAuth": []}], (method, path)
        elif method == "get" or path == "/api/v1/subscriptions/":
            assert requirement == [], (method, path)
    assert security[("post", "/api/v1/notices/")] == [{"tokenAuth": []}, {"cookieAuth": []}]
    assert security[("post", "/api/v1/destinations/{slug}/overrides/")]


def test_the_index_is_in_the_schema(schema):
    assert schema["paths"]["/api/v1/"]["get"]["operationId"] == "api_index"
