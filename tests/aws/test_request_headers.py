"""Headers of a REST (v1) event are found in any case, as API Gateway passes them as clients wrote them."""

from __future__ import annotations

from servey_cdk.aws.request import HttpRequest
from tests.conftest import load_event


def request_with(headers: dict[str, str]) -> HttpRequest:
    event = load_event("apigw_rest_say_hello")
    return HttpRequest.from_v1({**event, "headers": {**event["headers"], **headers}})


def test_GIVEN_a_header_in_any_case_WHEN_looked_up_THEN_it_is_found() -> None:
    for spelling in ("authorization", "Authorization", "AUTHORIZATION", "aUtHoRiZaTiOn"):
        assert request_with({spelling: "Bearer x"}).headers.get("authorization") == "Bearer x", spelling


def test_GIVEN_requests_of_one_header_set_WHEN_one_lacks_a_header_THEN_each_answers_for_itself() -> None:
    present = request_with({"IF-NONE-MATCH": '"a"'})
    absent = request_with({"X-Other": '"a"'})
    again = request_with({"IF-NONE-MATCH": '"b"'})

    assert present.headers.get("if-none-match") == '"a"'
    assert absent.headers.get("if-none-match") is None
    assert again.headers.get("if-none-match") == '"b"'
    assert absent.headers.get("authorization") is None
