"""The API flavour of an app's routes: a build setting the spec records for every renderer.

GIVEN `SERVEY_API` (or `BuildSettings.api`) WHEN the spec is built THEN it says which API Gateway
serves the routes, survives the trip through the code asset's JSON, and a flavour AWS has not is an
error naming the setting.
"""

from __future__ import annotations

import pytest

from servey_cdk.appspec import AppSpec
from servey_cdk.appspec_builder import BuildSettings, build_spec
from servey_cdk.discovery import Registry
from servey_cdk.errors import AppDefinitionError


def test_GIVEN_no_setting_THEN_the_routes_are_the_rest_apis(sample_registry: Registry) -> None:
    assert BuildSettings.from_environment({}).api == "rest"
    assert build_spec(sample_registry).api == "rest"


def test_GIVEN_SERVEY_API_http_THEN_the_spec_and_its_shipped_json_say_http(sample_registry: Registry) -> None:
    settings = BuildSettings.from_environment({"SERVEY_API": " HTTP "})
    spec = build_spec(sample_registry, settings)
    assert spec.api == "http"
    assert AppSpec.from_dict(spec.shipped().to_dict()).api == "http"


def test_GIVEN_an_unknown_flavour_THEN_the_build_fails_naming_the_setting(sample_registry: Registry) -> None:
    with pytest.raises(AppDefinitionError) as raised:
        build_spec(sample_registry, BuildSettings(api="graphql"))
    assert "SERVEY_API='graphql': the API is one of rest, http" in str(raised.value)
