"""The served OpenAPI document is the contract: schemathesis generates requests from it for every
operation of the sample app on a real servey-local, anonymous and with a token, valid requests and
invalid ones, and every answer must be one the document describes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import jsonschema
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

from tests.local.conftest import servey_local

PASSWORD = "contract-password"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    positive_data_acceptance,  # what the document allows is accepted,
    negative_data_rejection,  # and what it forbids is refused
    ignored_auth,
]
MAX_EXAMPLES = 60  # for each operation, valid and invalid requests alike
MIN_CASES = 1000  # for each caller: 2,000 in all at least


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with (
        (tmp_path_factory.mktemp("contract") / "servey-local.log").open("wb") as log,
        servey_local(PASSWORD, log) as (base, _),
    ):
        yield base


def login(base: str, scopes: list[str]) -> dict[str, str]:
    form = {"username": "contract", "password": PASSWORD, "scope": " ".join(scopes)}
    return {"Authorization": f"Bearer {httpx.post(f'{base}/login', data=form).json()['access_token']}"}


def run_cases(operation: APIOperation, mode: GenerationMode, headers: dict[str, str]) -> int:
    """Send the operation's generated cases, each with `headers`; how many were sent."""
    sent = 0

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def send(case: Case) -> None:
        nonlocal sent
        sent += 1
        case.call_and_validate(headers={**(case.headers or {}), **headers}, checks=CHECKS)

    send()
    return sent


@pytest.mark.parametrize("caller", ["anonymous", "token"])
def test_GIVEN_any_request_WHEN_sent_THEN_the_answer_is_one_the_document_describes(
    served: str, caller: str
) -> None:
    schema = schemathesis.openapi.from_url(f"{served}/openapi.json")
    scopes = schema.raw_schema["components"]["securitySchemes"]["bearer"]["flows"]["password"]["scopes"]
    headers = login(served, list(scopes)) if caller == "token" else {}
    operations = [result.ok() for result in schema.get_all_operations()]
    cases: dict[str, int] = {}
    findings: list[str] = []
    for operation in operations:
        takes_input = any(map(bool, (operation.path_parameters, operation.query, operation.body)))
        # An operation that takes no input has no invalid request.
        for mode in GenerationMode if takes_input else [GenerationMode.POSITIVE]:
            try:
                cases[f"{operation.label} {mode.value}"] = run_cases(operation, mode, headers)
            except FailureGroup as finding:  # every operation is tried: all findings are reported at once
                findings.append(f"{operation.label} ({mode.value}): {finding}")
    assert findings == [], "\n\n".join(findings)
    assert "POST /login" in {operation.label for operation in operations}
    assert sum(cases.values()) >= MIN_CASES, cases


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    values: Any  # a query's parameters, a JSON body or a form's fields
    where: str = "json"  # or "query", "form"

    def send(self, base: str, headers: dict[str, str]) -> httpx.Response:
        url = base + self.path
        if self.where == "query":
            return httpx.request(self.method, url, params=self.values, headers=headers)
        if self.where == "form":
            return httpx.request(self.method, url, data=self.values, headers=headers)
        return httpx.request(self.method, url, json=self.values, headers=headers)

    def schema(self, document: dict[str, Any]) -> dict[str, Any]:
        """What the document says the values must be, its components at hand for references."""
        operation = document["paths"][self.path][self.method.lower()]
        if self.where == "query":
            parameters = operation["parameters"]
            schema = {
                "type": "object",
                "properties": {parameter["name"]: parameter["schema"] for parameter in parameters},
                "required": [parameter["name"] for parameter in parameters if parameter["required"]],
            }
        else:
            media_type = "application/json" if self.where == "json" else "application/x-www-form-urlencoded"
            schema = operation["requestBody"]["content"][media_type]["schema"]
        return {**schema, "components": document["components"]}


def item(price: str) -> Call:
    return Call("POST", "/items", {"item": {"name": "Cup", "price": price}})


def login_form(**fields: str) -> Call:
    return Call("POST", "/login", {"username": "a", "password": PASSWORD, **fields}, "form")


# The server's rules, each with values it refuses and values it takes (the second of each pair).
RULES = {
    "a blank required query parameter": (Call("GET", "/actions/say-hello", {"name": ""}, "query"), False),
    "a required query parameter": (Call("GET", "/actions/say-hello", {"name": "Ada"}, "query"), True),
    "a blank price": (item(""), False),
    "a price below zero": (item("-1"), False),
    "a price of minus zero": (item("-0"), True),
    "an exponent no decimal holds": (item("1e-4208360600430787704558"), False),
    "an exponent a decimal holds": (item("1e-99999999999999999"), True),
    "a value over its bound": (Call("GET", "/actions/number-stats", {"value": 1001}, "query"), False),
    "a value at its bound": (Call("GET", "/actions/number-stats", {"value": 1000}, "query"), True),
    "a blank user name": (login_form(username=""), False),
    "another grant type": (login_form(grant_type="client_credentials"), False),
    "the password grant": (login_form(grant_type="password"), True),
    "another grant type for a token action": (
        Call("POST", "/actions/issue-account-token", {"username": "a", "password": "b", "grant_type": "x"}),
        False,
    ),
}


@pytest.mark.parametrize(("call", "taken"), RULES.values(), ids=RULES.keys())
def test_GIVEN_a_rule_of_the_server_THEN_the_document_states_it(served: str, call: Call, taken: bool) -> None:
    document = httpx.get(f"{served}/openapi.json").json()
    response = call.send(served, login(served, ["items:write"]))
    assert (response.status_code != 422) is taken, response.text
    try:
        jsonschema.validate(call.values, call.schema(document))
    except jsonschema.ValidationError:
        assert not taken, "the document refuses what the server takes"
    else:
        assert taken, "the document allows what the server refuses"


def test_GIVEN_a_path_with_a_line_break_WHEN_requested_THEN_it_is_routed_as_api_gateway_routes_it(
    served: str,
) -> None:
    response = httpx.get(f"{served}/items/%0A")
    assert (response.status_code, response.headers["content-type"]) == (422, "application/json")
    assert response.json()["detail"][0]["loc"] == ["item_id"]
