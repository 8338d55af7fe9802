"""AppSpec: what the sample app deploys as, and the problems found before anything is deployed."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from servey_cdk import (
    WEB_GET,
    WEB_POST,
    Example,
    FixedRateTrigger,
    ScheduleTrigger,
    WebPageTrigger,
    WebTrigger,
    action,
)
from servey_cdk.appspec import AUTHORIZER, ROUTER, WEBSOCKET, AppSpec
from servey_cdk.appspec_builder import BuildSettings, build_spec, load_spec
from servey_cdk.discovery import Registry
from servey_cdk.errors import AppDefinitionError
from tests.conftest import registry_of
from tests.core.conftest import AppWriter

# --- functions ---------------------------------------------------------------------------------


def test_GIVEN_the_default_THEN_each_action_has_its_own_function(sample_spec: AppSpec) -> None:
    say_hello = next(function for function in sample_spec.functions if function.name == "say_hello")

    assert say_hello.actions == ("say_hello",)
    assert say_hello.environment == {"SERVEY_ACTION_PATH": "sample_app", "SERVEY_FUNCTION": "say_hello"}
    assert sample_spec.action("say_hello").function == "say_hello"


def test_GIVEN_generated_actions_THEN_they_share_the_router(sample_spec: AppSpec) -> None:
    router = next(function for function in sample_spec.functions if function.name == ROUTER)

    assert router.actions == ("generated_1", "generated_2", "generated_3")
    assert router.environment["SERVEY_FUNCTION"] == ROUTER


def test_GIVEN_router_for_all_THEN_every_action_is_in_the_router(sample_registry: Registry) -> None:
    spec = build_spec(sample_registry, BuildSettings(router_for_all=True))

    assert [function.name for function in spec.functions] == [ROUTER, AUTHORIZER, WEBSOCKET]
    assert len(spec.functions[0].actions) == len(sample_registry.actions)
    assert spec.router_for_all is True


def test_GIVEN_the_router_environment_switch_THEN_every_action_is_in_the_router(
    sample_registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERVEY_AWS_ROUTER_FOR_ALL", "1")

    spec = build_spec(sample_registry, BuildSettings.from_environment())

    assert {route.function for route in spec.routes} == {ROUTER}


def test_GIVEN_actions_of_one_function_THEN_it_gets_their_largest_timeout_and_memory() -> None:
    @action(timeout=10, memory=512)
    def small() -> None: ...

    @action(timeout=60, memory=256)
    def slow() -> None: ...

    spec = build_spec(registry_of(small, slow), BuildSettings(router_for_all=True))

    assert (spec.functions[0].timeout, spec.functions[0].memory) == (60, 512)


def test_GIVEN_no_timeout_THEN_web_actions_get_api_gateways_29_s_and_others_30_s() -> None:
    @action(triggers=WEB_GET)
    def served() -> None: ...

    @action
    def background() -> None: ...

    spec = build_spec(registry_of(served, background))

    assert (spec.action("served").timeout, spec.action("background").timeout) == (29, 30)


def test_GIVEN_a_web_action_with_a_timeout_over_29_s_WHEN_built_THEN_the_error_names_it() -> None:
    @action(triggers=WEB_GET, timeout=60)
    def report() -> None: ...

    with pytest.raises(AppDefinitionError, match="action 'report': timeout 60s is over API Gateway's 29 s"):
        build_spec(registry_of(report))


# --- routes and GraphQL ------------------------------------------------------------------------


def test_GIVEN_no_path_THEN_the_route_is_derived_from_the_name(sample_spec: AppSpec) -> None:
    route = next(route for route in sample_spec.routes if route.action == "say_hello")
    assert (route.method, route.path, route.path_params) == ("GET", "/actions/say-hello", ())


def test_GIVEN_a_path_parameter_THEN_the_route_binds_it(sample_spec: AppSpec) -> None:
    route = next(route for route in sample_spec.routes if route.action == "get_item")
    assert (route.method, route.path, route.path_params) == ("GET", "/items/{item_id}", ("item_id",))


def test_GIVEN_a_page_trigger_without_options_THEN_path_and_template_derive_from_the_name(
    sample_spec: AppSpec,
) -> None:
    page = next(route for route in sample_spec.pages if route.action == "current_time_page")
    assert (page.path, page.template) == ("/current-time-page", "templates/current_time_page.j2")


def test_GIVEN_a_protected_action_THEN_its_route_requires_a_token(sample_spec: AppSpec) -> None:
    requiring = {route.action for route in sample_spec.routes if route.requires_token}
    assert requiring == {
        "only_for_root",
        "secret_page",
        "create_item",
        "delete_item",
        "broadcast_message",
        "sign_webhook",
    }


def test_GIVEN_web_actions_THEN_get_is_a_query_and_other_methods_are_mutations(sample_spec: AppSpec) -> None:
    assert sample_spec.graphql is not None
    kinds = {resolver.field_name: resolver.type_name for resolver in sample_spec.graphql.resolvers}
    assert kinds["say_hello"] == "Query"
    assert kinds["get_item"] == "Query"
    assert kinds["create_item"] == "Mutation"
    assert kinds["delete_item"] == "Mutation"
    assert kinds["broadcast_message"] == "Mutation"


def test_GIVEN_a_nested_action_THEN_it_resolves_a_field_of_its_owner_in_batches(sample_spec: AppSpec) -> None:
    assert sample_spec.graphql is not None
    resolver = next(r for r in sample_spec.graphql.resolvers if r.action == "factorial")
    assert (resolver.type_name, resolver.field_name, resolver.batch_size) == ("NumberStats", "factorial", 10)
    assert sample_spec.action("factorial").owner == "NumberStats"


def test_GIVEN_actions_without_web_triggers_THEN_they_have_no_resolver(sample_spec: AppSpec) -> None:
    assert sample_spec.graphql is not None
    resolved = {resolver.action for resolver in sample_spec.graphql.resolvers}
    assert resolved.isdisjoint({"tick", "nightly_report", "on_upload", "record_message", "catalogue_page"})


# --- schedules, queues, subscriptions, S3, static files, auth ----------------------------------


def test_GIVEN_a_fixed_rate_of_300_seconds_THEN_the_schedule_is_a_five_minute_rate(
    sample_spec: AppSpec,
) -> None:
    tick = next(schedule for schedule in sample_spec.schedules if schedule.action == "tick")
    assert (tick.expression, tick.timezone) == ("rate(5 minutes)", None)


def test_GIVEN_a_cron_in_a_time_zone_THEN_the_schedule_keeps_both(sample_spec: AppSpec) -> None:
    nightly = next(schedule for schedule in sample_spec.schedules if schedule.action == "nightly_report")
    assert (nightly.expression, nightly.timezone) == ("cron(0 6 * * ? *)", "Europe/Paris")


def test_GIVEN_two_schedules_on_one_action_THEN_each_gets_a_numbered_name() -> None:
    @action(triggers=(ScheduleTrigger(rate="1 hour"), ScheduleTrigger(cron="0 12 * * ? *")))
    def twice() -> None: ...

    spec = build_spec(registry_of(twice))

    assert [(s.name, s.expression) for s in spec.schedules] == [
        ("twice-1", "rate(1 hour)"),
        ("twice-2", "cron(0 12 * * ? *)"),
    ]


def test_GIVEN_a_linked_action_THEN_it_gets_a_queue(sample_spec: AppSpec) -> None:
    (queue,) = sample_spec.queues
    assert (queue.subscription, queue.action, queue.function) == (
        "messager",
        "record_message",
        "record_message",
    )
    assert (queue.batch_size, queue.max_receive_count, queue.delay_seconds) == (10, 5, 0)
    assert queue.visibility_timeout >= 6 * sample_spec.action("record_message").timeout


def test_GIVEN_an_action_that_publishes_THEN_its_function_is_a_publisher(sample_spec: AppSpec) -> None:
    (messager,) = sample_spec.subscriptions
    assert messager.name == "messager"
    assert messager.publishers == ("broadcast_message",)
    assert messager.queues == ("messager-record_message",)
    assert messager.event_schema == {"type": "string"}


def test_GIVEN_an_s3_trigger_THEN_the_spec_keeps_bucket_events_and_filters(sample_spec: AppSpec) -> None:
    (upload,) = sample_spec.s3_triggers
    assert (upload.action, upload.bucket, upload.events) == ("on_upload", "uploads", ("created", "removed"))
    assert (upload.prefix, upload.suffix) == ("incoming/", ".csv")


def test_GIVEN_a_static_folder_THEN_its_files_are_listed(sample_spec: AppSpec) -> None:
    assert sample_spec.static is not None
    assert Path(sample_spec.static.directory).name == "static"
    assert sample_spec.static.files == ("catalogue.6d3edb09.js", "index.html", "login.html", "styles.css")


def test_GIVEN_a_scope_control_THEN_auth_lists_the_scope_and_requires_tokens(sample_spec: AppSpec) -> None:
    assert sample_spec.auth.scopes == ("items:write", "messages:send", "root")
    assert sample_spec.auth.token_required is True


def test_GIVEN_no_protected_action_THEN_no_token_is_required() -> None:
    @action(triggers=WEB_GET)
    def public() -> str:
        return ""

    assert build_spec(registry_of(public)).auth.token_required is False


def test_GIVEN_a_ttl_cache_control_THEN_the_action_spec_carries_the_header(sample_spec: AppSpec) -> None:
    assert sample_spec.action("server_time").cache_control == "public, max-age=30"
    assert sample_spec.action("say_hello").cache_control == "no-cache"


def test_GIVEN_an_example_THEN_the_action_spec_carries_it(sample_spec: AppSpec) -> None:
    (example,) = sample_spec.action("say_hello").examples
    assert (example.name, example.params, example.result) == (
        "greet_developer",
        {"name": "Developer"},
        "Hello Developer!",
    )


# --- the spec as a value -----------------------------------------------------------------------


def test_GIVEN_the_spec_THEN_it_serialises_to_plain_json_and_back(sample_spec: AppSpec) -> None:
    text = json.dumps(sample_spec.to_dict(), allow_nan=False)  # no default=: everything is JSON already

    assert json.loads(text) == json.loads(sample_spec.to_json())
    assert json.loads(text)["app_module"] == "sample_app"


def test_GIVEN_the_spec_WHEN_modified_THEN_it_refuses(sample_spec: AppSpec) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        sample_spec.routes = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        sample_spec.routes[0].path = "/elsewhere"  # type: ignore[misc]


# --- build-time validation ---------------------------------------------------------------------


def problems_of(registry: Registry) -> list[str]:
    with pytest.raises(AppDefinitionError) as raised:
        build_spec(registry)
    assert str(raised.value) == "\n".join(f"- {problem}" for problem in raised.value.problems)
    return raised.value.problems


def test_GIVEN_two_actions_of_one_name_THEN_the_problem_names_both_functions() -> None:
    @action(name="same")
    def first() -> None: ...

    @action(name="same")
    def second() -> None: ...

    (problem,) = problems_of(registry_of(first, second))

    assert "action 'same'" in problem
    assert "first" in problem
    assert "second" in problem


def test_GIVEN_two_actions_on_one_route_THEN_the_problem_names_both() -> None:
    @action(triggers=WebTrigger("GET", "/things/{a}"))
    def one(a: str) -> None: ...

    @action(triggers=WebTrigger("GET", "/things/{b}"))
    def two(b: str) -> None: ...

    (problem,) = problems_of(registry_of(one, two))

    assert "action 'two'" in problem
    assert "taken by action 'one'" in problem


def test_GIVEN_a_90_second_rate_THEN_the_problem_names_the_action_and_whole_minutes() -> None:
    @action(triggers=FixedRateTrigger(90))
    def every_90s() -> None: ...

    (problem,) = problems_of(registry_of(every_90s))

    assert "action 'every_90s'" in problem
    assert "90 seconds" in problem
    assert "whole minutes" in problem


def test_GIVEN_a_cron_eventbridge_cannot_express_THEN_the_problem_names_the_action() -> None:
    @action(triggers=ScheduleTrigger(cron="0 6 1 * MON *"))
    def both_days() -> None: ...

    (problem,) = problems_of(registry_of(both_days))

    assert "action 'both_days' schedule" in problem
    assert "'?'" in problem


def test_GIVEN_a_type_graphql_cannot_express_THEN_the_problem_names_the_action_and_parameter() -> None:
    @action(triggers=WEB_GET)
    def lookup(address: ipaddress.IPv4Address) -> str:
        return str(address)

    problems = problems_of(registry_of(lookup))

    assert any("action 'lookup' parameter 'address'" in p and "GraphQL cannot express" in p for p in problems)


def test_GIVEN_a_page_whose_template_is_missing_THEN_the_problem_names_the_action(tmp_path: Path) -> None:
    @action(triggers=WebPageTrigger())
    def lost_page() -> str:
        return ""

    (problem,) = problems_of(registry_of(lost_page, root=tmp_path))

    assert "action 'lost_page'" in problem
    assert "templates/lost_page.j2" in problem


def test_GIVEN_a_path_parameter_that_is_not_a_parameter_THEN_the_problem_names_it() -> None:
    @action(triggers=WebTrigger("GET", "/users/{user_id}"))
    def get_user(id: int) -> None: ...

    (problem,) = problems_of(registry_of(get_user))

    assert "action 'get_user'" in problem
    assert "{user_id}" in problem


def test_GIVEN_a_scheduled_action_with_a_required_parameter_THEN_it_is_a_problem() -> None:
    @action(triggers=ScheduleTrigger(rate="1 day"))
    def daily(day: str) -> None: ...

    (problem,) = problems_of(registry_of(daily))

    assert "action 'daily' schedule" in problem


def test_GIVEN_lambda_limits_exceeded_THEN_each_is_a_problem() -> None:
    @action(timeout=901, memory=64)
    def greedy() -> None: ...

    problems = problems_of(registry_of(greedy))

    assert any("timeout 901s" in problem for problem in problems)
    assert any("memory 64 MB" in problem for problem in problems)


def test_GIVEN_several_problems_THEN_all_are_reported_at_once() -> None:
    @action(name="dup", triggers=FixedRateTrigger(90))
    def first() -> None: ...

    @action(name="dup", triggers=WEB_POST)
    def second() -> None: ...

    @action(triggers=WebTrigger("GET", "/x/{missing}"))
    def third() -> str:
        return ""

    @action(triggers=ScheduleTrigger(cron="61 * * * ? *"))
    def fourth() -> None: ...

    problems = problems_of(registry_of(first, second, third, fourth))

    assert any("action 'dup': the name is used by both" in p for p in problems)
    assert any("action 'dup' schedule" in p and "90 seconds" in p for p in problems)
    assert any("action 'third'" in p and "{missing}" in p for p in problems)
    assert any("action 'fourth' schedule" in p and "61" in p for p in problems)


def test_GIVEN_example_params_of_rich_types_THEN_the_spec_carries_them_as_json() -> None:
    @action(
        triggers=WEB_GET,
        examples=Example("new_year", {"when": datetime(2026, 1, 1, tzinfo=UTC)}, "2026"),
    )
    def year(when: datetime) -> str:
        return str(when.year)

    spec = build_spec(registry_of(year))

    assert spec.action("year").examples[0].params == {"when": "2026-01-01T00:00:00Z"}
    json.dumps(spec.to_dict())


def test_GIVEN_a_subscribable_subscription_THEN_websockets_are_enabled(sample_spec: AppSpec) -> None:
    assert sample_spec.websocket_enabled is True


def test_GIVEN_no_subscription_THEN_websockets_are_disabled() -> None:
    @action(triggers=WEB_GET)
    def ping() -> str:
        return "pong"

    assert build_spec(registry_of(ping)).websocket_enabled is False


def test_GIVEN_a_publish_through_a_helper_THEN_the_declaration_makes_its_function_a_publisher(
    write_app: AppWriter,
) -> None:
    module = write_app(
        {
            "__init__.py": """
                from servey_cdk import WEB_GET, WEB_POST, SubscriptionTrigger, action, subscription

                alerts = subscription(str, "alerts")

                @action(triggers=WEB_GET)
                def status() -> str:
                    return "ok"

                def _send(text):
                    alerts.publish(text)

                @action(triggers=WEB_POST, publishes=alerts)
                def shout(text: str) -> bool:
                    _send(text)
                    return True

                @action(triggers=SubscriptionTrigger(alerts))
                def hear(text: str) -> None:
                    pass
            """
        }
    )
    spec = load_spec(module)
    assert spec.subscriptions[0].publishers == ("shout",)
    assert spec.action("shout").publishes == ("alerts",)


def test_GIVEN_a_declared_subscription_the_app_does_not_hold_THEN_the_error_names_the_action(
    write_app: AppWriter,
) -> None:
    module = write_app(
        {
            "__init__.py": """
                from servey_cdk import WEB_GET, action, subscription

                @action(triggers=WEB_GET, publishes=subscription(str, "elsewhere"))
                def shout(text: str) -> bool:
                    return True
            """
        }
    )
    expected = "action 'shout' publishes to 'elsewhere': no such subscription"
    with pytest.raises(AppDefinitionError, match=expected):
        load_spec(module)


def test_GIVEN_the_json_a_code_asset_carries_THEN_from_dict_gives_the_same_spec(sample_spec: AppSpec) -> None:
    shipped = json.loads(sample_spec.to_json())

    read = AppSpec.from_dict(shipped)

    assert read == sample_spec
    assert isinstance(read.functions, tuple)
    assert read.graphql is not None
    assert read.graphql.resolvers == sample_spec.graphql.resolvers  # type: ignore[union-attr]


def test_GIVEN_a_spec_with_a_wrong_field_THEN_from_dict_names_where() -> None:
    shipped = json.loads(build_spec(registry_of()).to_json())
    shipped["functions"] = [{"name": "f", "colour": "red"}]

    with pytest.raises(ValueError, match=r"AppSpec\.functions\[0\]: unknown field\(s\) colour"):
        AppSpec.from_dict(shipped)


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("/items/(?P<item_id>[^/]+)", "API Gateway cannot route '(?P<item_id>[^'"),
        ("/items/{item_id}.json", "API Gateway cannot route '{item_id}.json'"),
        ("/files/{key+}/meta", "the greedy {key+} must be the path's last part"),
        ("items", "a path must start with '/'"),
    ],
)
def test_GIVEN_a_path_api_gateway_cannot_express_WHEN_built_THEN_the_error_names_the_action_and_the_part(
    path: str, problem: str
) -> None:
    @action(name="routed", triggers=WebTrigger("GET", path))
    def routed(item_id: str = "", key: str = "") -> None: ...

    with pytest.raises(AppDefinitionError) as raised:
        build_spec(registry_of(routed))
    assert f"action 'routed' route GET {path}: {problem}" in str(raised.value)
