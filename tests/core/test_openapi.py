"""The OpenAPI 3.1 document: valid, and saying what each route takes and gives."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate

from local_runtime.app import URI_TOO_LONG
from servey_cdk import WEB_GET, WEB_POST, Example, Forbidden, action
from servey_cdk.api_gateway import UNSUPPORTED_MEDIA_TYPE_BODY
from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import build_spec
from servey_cdk.openapi import openapi_document
from tests.conftest import registry_of


@action(triggers=WEB_GET)
def ping() -> str:
    """GraphQL needs one query at least."""
    return "pong"


@pytest.fixture(scope="module")
def document(sample_spec: AppSpec) -> dict[str, Any]:
    return openapi_document(sample_spec)


def parameters_of(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {parameter["name"]: parameter for parameter in operation.get("parameters", [])}


def test_GIVEN_the_sample_app_THEN_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == "sample_app"


def test_GIVEN_page_routes_THEN_they_are_not_api_operations(document: dict[str, Any]) -> None:
    assert "/current-time-page" not in document["paths"]
    assert "/catalogue" not in document["paths"]


def test_GIVEN_a_get_action_THEN_its_parameters_are_typed_query_parameters(document: dict[str, Any]) -> None:
    operation = document["paths"]["/items"]["get"]
    parameters = parameters_of(operation)

    assert parameters["limit"]["in"] == "query"
    assert parameters["limit"]["required"] is False
    assert parameters["limit"]["schema"]["type"] == "integer"
    assert parameters["limit"]["schema"]["default"] == 20
    assert {"type": "string"} in parameters["tag"]["schema"]["anyOf"]
    assert "requestBody" not in operation


def test_GIVEN_a_required_query_parameter_THEN_it_is_marked_required(document: dict[str, Any]) -> None:
    name = parameters_of(document["paths"]["/actions/say-hello"]["get"])["name"]
    assert (name["in"], name["required"], name["schema"]["type"]) == ("query", True, "string")


def test_GIVEN_a_path_parameter_THEN_it_is_a_required_path_parameter(document: dict[str, Any]) -> None:
    for method in ("get", "delete"):
        item_id = parameters_of(document["paths"]["/items/{item_id}"][method])["item_id"]
        assert (item_id["in"], item_id["required"], item_id["schema"]["type"]) == ("path", True, "integer")


def test_GIVEN_a_post_action_THEN_its_parameters_are_a_json_request_body(document: dict[str, Any]) -> None:
    operation = document["paths"]["/items"]["post"]
    body = operation["requestBody"]

    assert body["required"] is True
    schema = body["content"]["application/json"]["schema"]
    assert schema["properties"]["item"] == {"$ref": "#/components/schemas/NewItem"}
    assert schema["required"] == ["item"]
    assert "parameters" not in operation
    assert "NewItem" in document["components"]["schemas"]


def test_GIVEN_an_authorization_parameter_THEN_it_is_not_a_documented_input(document: dict[str, Any]) -> None:
    operation = document["paths"]["/actions/echo-authorization"]["get"]
    assert "authorization" not in parameters_of(operation)


def test_GIVEN_an_action_THEN_the_200_response_has_its_result_schema_and_cache_headers(
    document: dict[str, Any],
) -> None:
    ok = document["paths"]["/items/{item_id}"]["get"]["responses"]["200"]

    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Item"}
    assert set(ok["headers"]) == {"Cache-Control", "ETag"}
    cached = document["paths"]["/actions/server-time"]["get"]["responses"]["200"]
    assert cached["headers"]["Cache-Control"]["schema"]["example"] == "public, max-age=30"


def test_GIVEN_an_example_THEN_it_documents_the_parameter_and_the_response(document: dict[str, Any]) -> None:
    operation = document["paths"]["/actions/say-hello"]["get"]

    summary = "Say hello to the developer"  # the example's description
    assert parameters_of(operation)["name"]["examples"] == {
        "greet_developer": {"summary": summary, "value": "Developer"}
    }
    examples = operation["responses"]["200"]["content"]["application/json"]["examples"]
    assert examples == {"greet_developer": {"summary": summary, "value": "Hello Developer!"}}


def test_GIVEN_an_example_of_a_post_action_THEN_it_documents_the_request_body() -> None:
    @action(
        triggers=WEB_POST,
        examples=(
            Example("shown", {"text": "hi"}, "HI"),
            Example("hidden", {"text": "no"}, "NO", include_in_schema=False),
        ),
    )
    def shout(text: str) -> str:
        return text.upper()

    document = openapi_document(build_spec(registry_of(shout, ping)))
    content = document["paths"]["/actions/shout"]["post"]["requestBody"]["content"]["application/json"]

    assert content["examples"] == {"shown": {"value": {"text": "hi"}}}
    validate(document)


def test_GIVEN_a_docstring_THEN_its_first_line_is_the_summary(document: dict[str, Any]) -> None:
    assert document["paths"]["/actions/say-hello"]["get"]["summary"] == "Greet a user!"


def test_GIVEN_a_protected_action_THEN_the_bearer_scheme_and_401_403_are_documented(
    document: dict[str, Any],
) -> None:
    operation = document["paths"]["/actions/only-for-root"]["get"]

    assert operation["security"] == [{"bearer": []}]
    assert {"401", "403"} <= set(operation["responses"])
    scheme = document["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


def test_GIVEN_an_open_action_THEN_it_has_no_security_and_no_403(document: dict[str, Any]) -> None:
    operation = document["paths"]["/actions/say-hello"]["get"]

    assert "security" not in operation
    assert "403" not in operation["responses"]
    assert "401" in operation["responses"]  # a token sent anyway is checked


def test_GIVEN_no_protected_action_THEN_there_is_no_security_scheme() -> None:
    @action(triggers=WEB_POST)
    def open_door() -> bool:
        return True

    document = openapi_document(build_spec(registry_of(open_door, ping)))

    assert "securitySchemes" not in document["components"]


def resolved(document: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    """A response, its `$ref` to the components followed."""
    name = response["$ref"].removeprefix("#/components/responses/")
    found: dict[str, Any] = document["components"]["responses"][name]
    return found


def body_schema(document: dict[str, Any], response: dict[str, Any]) -> Any:
    return resolved(document, response)["content"]["application/json"]["schema"]


@pytest.mark.parametrize(
    ("path", "method"), [("/items", "post"), ("/actions/say-hello", "get"), ("/items/{item_id}", "delete")]
)
def test_GIVEN_any_operation_THEN_every_error_the_api_answers_is_listed_with_its_body(
    document: dict[str, Any], path: str, method: str
) -> None:
    operation = document["paths"][path][method]
    responses = operation["responses"]

    token_errors = {"401", "403"} if "security" in operation else {"401"}
    conditional = {"304"} if method == "get" else set()  # only a GET is answered 304
    expected = {"200", "404", "405", "413", "414", "415", "422", "500"} | token_errors | conditional
    assert set(responses) == expected
    for status in {"404", "405", "413", "422", "500"} | token_errors:
        assert body_schema(document, responses[status]) == {"$ref": "#/components/schemas/Error"}
    assert document["components"]["schemas"]["Error"]["required"] == ["error", "detail", "request_id"]
    for status in ("414", "415"):
        assert body_schema(document, responses[status]) == {"$ref": "#/components/schemas/GatewayMessage"}
    assert document["components"]["schemas"]["GatewayMessage"]["required"] == ["message"]
    assert set(resolved(document, responses["405"])["headers"]) == {"Allow"}


def test_GIVEN_the_error_bodies_THEN_the_schemas_are_those_the_server_gives(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    jsonschema.validate(Forbidden("no").body("a-request-id"), schemas["Error"])
    jsonschema.validate(Forbidden("no").body(None), schemas["Error"])  # the debug login has no request id
    jsonschema.validate(json.loads(UNSUPPORTED_MEDIA_TYPE_BODY), schemas["GatewayMessage"])
    jsonschema.validate(json.loads(URI_TOO_LONG.body), schemas["GatewayMessage"])


def test_GIVEN_a_required_query_parameter_THEN_the_document_refuses_it_blank(
    document: dict[str, Any],
) -> None:
    name = parameters_of(document["paths"]["/actions/say-hello"]["get"])["name"]
    tag = parameters_of(document["paths"]["/items"]["get"])["tag"]

    assert name["schema"]["minLength"] == 1  # API Gateway's validator takes "" for missing
    assert "minLength" not in json.dumps(tag["schema"])  # an optional one is not validated


def test_GIVEN_a_decimal_THEN_its_text_must_be_a_numeral_within_its_bound(document: dict[str, Any]) -> None:
    price = document["components"]["schemas"]["NewItem"]["properties"]["price"]  # Field(ge=0)

    for text in ("", " ", "one", "1.2.3", "-1", "-0.5", -1, "1e-4208360600430787704558"):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(text, price)
    for text in ("4.20", "0", "-0", ".5", "1e3", "+2", 3, "1e-99999999999999999"):
        jsonschema.validate(text, price)


def test_GIVEN_a_bounded_parameter_THEN_the_document_shows_the_bound(document: dict[str, Any]) -> None:
    value = parameters_of(document["paths"]["/actions/number-stats"]["get"])["value"]
    assert (value["schema"]["minimum"], value["schema"]["maximum"]) == (0, 1000)


def test_GIVEN_a_token_action_THEN_it_takes_only_the_password_grant(document: dict[str, Any]) -> None:
    body = document["paths"]["/actions/issue-account-token"]["post"]["requestBody"]
    grant_type = body["content"]["application/json"]["schema"]["properties"]["grant_type"]

    jsonschema.validate("password", grant_type)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate("client_credentials", grant_type)


def test_GIVEN_an_example_with_a_description_THEN_it_is_the_examples_summary_everywhere() -> None:
    @action(triggers=WEB_GET, examples=Example("loud", {"text": "hi"}, "HI", description="Shouting a hello"))
    def shout_back(text: str) -> str:
        return text.upper()

    document = openapi_document(build_spec(registry_of(shout_back, ping)))
    operation = document["paths"]["/actions/shout-back"]["get"]
    (parameter,) = operation["parameters"]
    assert parameter["examples"]["loud"] == {"summary": "Shouting a hello", "value": "hi"}
    response = operation["responses"]["200"]["content"]["application/json"]
    assert response["examples"]["loud"] == {"summary": "Shouting a hello", "value": "HI"}
    validate(document)
