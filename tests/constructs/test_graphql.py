"""ServeyGraphqlApi: AppSync from the app's SDL, direct Lambda resolvers, a Lambda authorizer."""

from __future__ import annotations

from typing import Any

from servey_cdk.appspec import AppSpec
from tests.constructs.conftest import PRODUCTION_LIMITS, Production
from tests.constructs.template_queries import Resources, app_function, of_type


def _resolvers(resources: Resources) -> dict[str, dict[str, Any]]:
    found = of_type(resources, "AWS::AppSync::Resolver").values()
    return {f"{v['Properties']['TypeName']}.{v['Properties']['FieldName']}": v["Properties"] for v in found}


def test_GIVEN_the_sample_stack_THEN_the_graphql_schema_is_the_apps_sdl(
    resources: Resources, spec: AppSpec
) -> None:
    assert spec.graphql is not None
    (schema,) = of_type(resources, "AWS::AppSync::GraphQLSchema").values()
    assert schema["Properties"]["Definition"] == spec.graphql.sdl


def test_GIVEN_the_sample_stack_THEN_each_resolver_spec_has_a_direct_lambda_resolver(
    resources: Resources, spec: AppSpec
) -> None:
    assert spec.graphql is not None
    resolvers = _resolvers(resources)
    assert set(resolvers) == {f"{r.type_name}.{r.field_name}" for r in spec.graphql.resolvers}
    direct = [r for r in spec.graphql.resolvers if not r.batch_size]
    assert all("RequestMappingTemplate" not in resolvers[f"{r.type_name}.{r.field_name}"] for r in direct)


def test_GIVEN_a_batched_nested_field_THEN_its_resolver_batch_invokes_up_to_its_max_batch_size(
    resources: Resources,
) -> None:
    factorial = _resolvers(resources)["NumberStats.factorial"]
    assert factorial["MaxBatchSize"] == 10
    assert '"operation": "BatchInvoke"' in factorial["RequestMappingTemplate"]


def test_GIVEN_the_sample_stack_THEN_graphql_requests_are_authorized_by_the_authorizer_function(
    resources: Resources,
) -> None:
    (api,) = of_type(resources, "AWS::AppSync::GraphQLApi").values()
    authorizer, _ = app_function(resources, "graphql-authorizer")
    assert api["Properties"]["AuthenticationType"] == "AWS_LAMBDA"
    assert authorizer in str(api["Properties"]["LambdaAuthorizerConfig"]["AuthorizerUri"])


def test_GIVEN_the_sample_stack_THEN_graphql_errors_are_logged_to_a_group_with_retention(
    resources: Resources,
) -> None:
    (api,) = of_type(resources, "AWS::AppSync::GraphQLApi").values()
    assert api["Properties"]["LogConfig"]["FieldLogLevel"] == "ERROR"
    groups = of_type(resources, "AWS::Logs::LogGroup").values()
    assert any("/aws/appsync/apis/" in str(group["Properties"].get("LogGroupName")) for group in groups)


def test_GIVEN_the_sample_stack_THEN_only_the_graphql_api_may_invoke_the_authorizer(
    resources: Resources,
) -> None:
    (api,) = of_type(resources, "AWS::AppSync::GraphQLApi")
    authorizer, _ = app_function(resources, "graphql-authorizer")
    (permission,) = [
        p["Properties"]
        for p in of_type(resources, "AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "appsync.amazonaws.com"
    ]
    assert permission["FunctionName"] == {"Fn::GetAtt": [authorizer, "Arn"]}
    assert permission["SourceArn"] == {"Fn::GetAtt": [api, "Arn"]}


def test_GIVEN_the_sample_stack_THEN_field_logs_leave_out_verbose_content_such_as_headers(
    resources: Resources,
) -> None:
    (api,) = of_type(resources, "AWS::AppSync::GraphQLApi").values()
    assert api["Properties"]["LogConfig"]["ExcludeVerboseContent"] is True


def test_GIVEN_the_specs_graphql_limits_THEN_they_set_depth_resolver_count_and_introspection(
    resources: Resources, spec: AppSpec
) -> None:
    assert spec.graphql is not None
    limits = spec.graphql.limits
    (api,) = of_type(resources, "AWS::AppSync::GraphQLApi").values()
    assert (api["Properties"]["QueryDepthLimit"], api["Properties"]["ResolverCountLimit"]) == (
        limits.depth,
        limits.resolvers,
    )
    assert api["Properties"]["IntrospectionConfig"] == ("ENABLED" if limits.introspection else "DISABLED")


def test_GIVEN_graphql_api_props_and_the_specs_limits_THEN_the_props_win(production: Production) -> None:
    """GIVEN limits of depth 8, 200 resolvers, no introspection, and graphql_api_props' depth of 6."""
    (api,) = of_type(production.template["Resources"], "AWS::AppSync::GraphQLApi").values()
    properties = api["Properties"]
    limits = (properties["QueryDepthLimit"], properties["ResolverCountLimit"])
    assert limits == (6, PRODUCTION_LIMITS.resolvers)
    assert properties["IntrospectionConfig"] == "DISABLED"
