"""Requests no view handles: JSON errors under /api/, the site's HTML pages elsewhere."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_unknown_api_path_answers_the_api_error_envelope(client):
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {"status": 404, "code": "not_found", "message": "Not found."}
    }


def test_an_unknown_page_answers_the_html_not_found_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
