"""A batch function's resolver, synthesized through jsii: BatchInvoke of up to its batch size, and
each parent's answer item its data or its own error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from servey_cdk.appspec_builder import load_spec
from tests.constructs.conftest import AppStack, synthesized_app_stack
from tests.constructs.template_queries import of_type


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> AppStack:
    outdir = tmp_path_factory.mktemp("library.out")
    return synthesized_app_stack(outdir, load_spec("tests.library_app"), "Library")


def resolvers(stack: AppStack) -> dict[str, dict[str, Any]]:
    found = of_type(stack.resources, "AWS::AppSync::Resolver").values()
    return {f"{v['Properties']['TypeName']}.{v['Properties']['FieldName']}": v["Properties"] for v in found}


def test_GIVEN_a_batch_function_THEN_its_resolver_batch_invokes_its_lambda_up_to_its_batch_size(
    library: AppStack,
) -> None:
    author = resolvers(library)["Book.author"]
    assert author["MaxBatchSize"] == 25
    assert author["Kind"] == "UNIT"
    assert '"operation": "BatchInvoke"' in author["RequestMappingTemplate"]
    (source,) = [
        item["Properties"]
        for item in of_type(library.resources, "AWS::AppSync::DataSource").values()
        if item["Properties"]["Name"] == author["DataSourceName"]
    ]
    assert source["Type"] == "AWS_LAMBDA"


def test_GIVEN_a_batch_resolver_THEN_each_item_is_its_data_or_its_own_error(library: AppStack) -> None:
    response = resolvers(library)["Book.author"]["ResponseMappingTemplate"]
    assert "$util.error($ctx.result.errorMessage, $ctx.result.errorType)" in response
    assert "$util.toJson($ctx.result.data)" in response


def test_GIVEN_the_request_template_THEN_the_payload_carries_the_direct_resolver_events_keys(
    library: AppStack,
) -> None:
    request = resolvers(library)["Book.author"]["RequestMappingTemplate"]
    for key in ("arguments", "identity", "source", "request", "prev", "info", "stash"):
        assert f'"{key}": $util.toJson($ctx.{key})' in request


def test_GIVEN_a_query_field_THEN_it_stays_a_direct_lambda_resolver(library: AppStack) -> None:
    books = resolvers(library)["Query.books"]
    assert "RequestMappingTemplate" not in books
    assert "MaxBatchSize" not in books


def test_GIVEN_the_library_stack_THEN_the_quality_gates_pass(library: AppStack) -> None:
    assert library.validation_error is None
    assert Path(library.template_path).is_file()
