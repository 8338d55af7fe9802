"""An app of camelCase GraphQL fields, synthesized through jsii: the schema and the resolvers are
keyed by the GraphQL names, each resolver on its action's function; and its assets rehearsed."""

from __future__ import annotations

import pytest

from servey_cdk.appspec_builder import load_spec
from servey_cdk.packages import default_cache_dir
from servey_cdk.rehearsal import rehearse
from servey_cdk.rehearsal.assembly import read_assembly
from tests.constructs.conftest import AppStack, synthesized_app_stack
from tests.constructs.template_queries import app_function, of_type


@pytest.fixture(scope="module")
def camel(tmp_path_factory: pytest.TempPathFactory) -> AppStack:
    return synthesized_app_stack(tmp_path_factory.mktemp("camel.out"), load_spec("tests.camel_app"), "Camel")


def test_GIVEN_camel_case_THEN_each_resolver_is_keyed_by_its_graphql_field_name(camel: AppStack) -> None:
    found = {
        (item["Properties"]["TypeName"], item["Properties"]["FieldName"]): item["Properties"]
        for item in of_type(camel.resources, "AWS::AppSync::Resolver").values()
    }
    assert set(found) == {
        ("Query", "findBooks"),
        ("Mutation", "addBook"),
        ("Book", "pageTotal"),
        ("Book", "authorName"),
    }
    assert found[("Book", "authorName")]["MaxBatchSize"] == 100


def test_GIVEN_camel_case_THEN_the_schema_names_fields_in_camel_case(camel: AppStack) -> None:
    (schema,) = of_type(camel.resources, "AWS::AppSync::GraphQLSchema").values()
    assert "findBooks(authorId: Int!, titlePrefix: String): [Book!]!" in schema["Properties"]["Definition"]


def test_GIVEN_camel_case_THEN_a_resolvers_data_source_is_its_actions_function(camel: AppStack) -> None:
    function, _ = app_function(camel.resources, "find_books")
    sources = of_type(camel.resources, "AWS::AppSync::DataSource").values()
    assert any(function in str(source["Properties"].get("LambdaConfig")) for source in sources)
    assert camel.validation_error is None


def test_GIVEN_camel_case_WHEN_rehearsed_THEN_the_examples_pass_through_their_graphql_fields(
    camel: AppStack,
) -> None:
    stack = next(stack for stack in read_assembly(camel.outdir) if stack.name == "Camel")
    report = rehearse(stack, default_cache_dir())
    assert report.passed, report.text()
    assert any("Query.findBooks example cities" in outcome.line() for outcome in report.outcomes)
