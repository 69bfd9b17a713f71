"""The two projections of a voordracht in the OpenAPI document are disjoint: whatever the API answers matches
exactly one ``oneOf`` branch. The list used to be ``oneOf`` two page schemas that an empty page (and so every
riec user's first call) matched both of."""

from __future__ import annotations

import pytest

from support import ok


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def matches(document, schema: dict, instance) -> bool:
    """``instance`` is valid against ``schema`` (OpenAPI 3.0, ``$ref`` resolved within ``document``)."""
    from openapi_schema_validator import OAS30Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    root = {**document, "x-checked": schema}
    registry = Registry().with_resource("urn:casus", Resource.from_contents(root, default_specification=DRAFT4))
    return OAS30Validator({"$ref": "urn:casus#/x-checked"}, registry=registry).is_valid(instance)


def branches(document, path: str, method: str = "get", status: str = "200") -> tuple[dict, list[dict]]:
    schema = document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    if "oneOf" in schema:
        return schema, schema["oneOf"]
    page = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema, page["properties"]["items"]["items"]["oneOf"]


def test_an_empty_page_is_a_valid_page(api, world, document):
    page_schema, _ = branches(document, "/riec-referrals")
    for who in ("regisseur", "riec_user"):
        page = ok(api(world[who], "GET", "/riec-referrals"))
        assert page["items"] == []
        assert matches(document, page_schema, page), who


def test_each_projection_matches_exactly_one_branch(api, world, document, make_voordracht):
    voordracht = make_voordracht("ingediend")
    page_schema, item_branches = branches(document, "/riec-referrals")
    item_schema, detail_branches = branches(document, "/riec-referrals/{id}")
    expected = {"regisseur": "RiecReferral", "riec_user": "SharedRiecReferral"}
    for who, name in expected.items():
        page = ok(api(world[who], "GET", "/riec-referrals"))
        assert matches(document, page_schema, page), who
        [item] = page["items"]
        assert [branch["$ref"].rsplit("/", 1)[1] for branch in item_branches
                if matches(document, branch, item)] == [f"{name}Summary"], who
        detail = ok(api(world[who], "GET", f"/riec-referrals/{voordracht.id}"))
        assert matches(document, item_schema, detail), who
        assert [branch["$ref"].rsplit("/", 1)[1] for branch in detail_branches
                if matches(document, branch, detail)] == [name], who


def test_the_branches_require_what_tells_them_apart(document):
    schemas = document["components"]["schemas"]
    for team, shared in (("RiecReferralSummary", "SharedRiecReferralSummary"), ("RiecReferral", "SharedRiecReferral")):
        assert "caseId" in schemas[team]["required"] and "caseId" not in schemas[shared]["properties"]
        assert schemas[shared]["additionalProperties"] is False
    assert "summary" in schemas["SharedRiecReferralSummary"]["required"]
    assert "summary" not in schemas["RiecReferralSummary"]["properties"]
    assert schemas["RiecReferralSummary"]["additionalProperties"] is False
    assert "SharedRiecReferralPage" not in schemas
