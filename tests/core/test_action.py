"""The `@action` decorator, its metadata, triggers, examples and cache control."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from servey_cdk import (
    WEB_DELETE,
    WEB_GET,
    WEB_PATCH,
    WEB_POST,
    WEB_PUT,
    Action,
    AllowAll,
    Example,
    S3Trigger,
    ScheduleTrigger,
    TtlCacheControl,
    WebPageTrigger,
    WebTrigger,
    action,
    get_action,
)
from servey_cdk.cache_control import NoCacheControl, etag, etag_matches


def test_GIVEN_a_bare_decorator_WHEN_applied_THEN_the_function_is_returned_unchanged() -> None:
    def add(a: int, b: int) -> int:
        return a + b

    decorated = action(add)

    assert decorated is add
    assert decorated(2, 3) == 5


def test_GIVEN_a_decorator_with_options_WHEN_applied_THEN_the_function_is_returned_unchanged() -> None:
    def add(a: int, b: int) -> int:
        return a + b

    decorated = action(triggers=WEB_GET)(add)

    assert decorated is add
    assert get_action(add) is not None


def test_GIVEN_an_async_action_WHEN_called_directly_THEN_it_is_still_a_coroutine_function() -> None:
    @action
    async def double(value: int) -> int:
        return value * 2

    assert asyncio.run(double(4)) == 8
    record = get_action(double)
    assert record is not None
    assert record.is_async


def test_GIVEN_no_name_or_description_WHEN_decorated_THEN_they_default_to_function_name_and_docstring() -> (
    None
):
    @action
    def say_hello(name: str) -> str:
        """Greet a user!"""
        return name

    record = get_action(say_hello)

    assert record is not None
    assert record.name == "say_hello"
    assert record.description == "Greet a user!"
    assert record.fn is say_hello


def test_GIVEN_explicit_name_and_description_WHEN_decorated_THEN_they_win() -> None:
    @action(name="greet", description="Says hello.")
    def say_hello() -> str:
        """Ignored."""
        return ""

    record = get_action(say_hello)

    assert record is not None
    assert (record.name, record.description) == ("greet", "Says hello.")


def test_GIVEN_one_trigger_WHEN_decorated_THEN_triggers_is_a_tuple_of_it() -> None:
    @action(triggers=WEB_POST)
    def create() -> None: ...

    record = get_action(create)
    assert record is not None
    assert record.triggers == (WEB_POST,)


def test_GIVEN_a_tuple_of_triggers_WHEN_decorated_THEN_all_are_kept_in_order() -> None:
    schedule = ScheduleTrigger(rate="5 minutes")

    @action(triggers=(WEB_GET, schedule))
    def both() -> None: ...

    record = get_action(both)
    assert record is not None
    assert record.triggers == (WEB_GET, schedule)


def test_GIVEN_no_options_WHEN_decorated_THEN_defaults_apply() -> None:
    @action
    def plain() -> None: ...

    record = get_action(plain)

    assert record is not None
    assert record.triggers == ()
    assert record.examples == ()
    assert isinstance(record.cache_control, NoCacheControl)
    assert isinstance(record.access_control, AllowAll)
    assert (record.timeout, record.memory, record.batch_size) == (None, 256, None)


def test_GIVEN_an_action_record_WHEN_modified_THEN_it_refuses_because_it_is_frozen() -> None:
    @action
    def plain() -> None: ...

    record = get_action(plain)
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.name = "other"  # type: ignore[misc, union-attr]


def test_GIVEN_a_plain_function_WHEN_asked_for_its_action_THEN_none() -> None:
    def plain() -> None: ...

    assert get_action(plain) is None


def test_GIVEN_one_example_WHEN_decorated_THEN_examples_is_a_tuple_of_it() -> None:
    example = Example(name="one", params={"value": 1}, result=2)

    @action(examples=example)
    def double(value: int) -> int:
        return value * 2

    record = get_action(double)
    assert record is not None
    assert record.examples == (example,)


def test_GIVEN_an_example_WHEN_built_THEN_its_fields_and_defaults_are_kept() -> None:
    example = Example("greet", {"name": "World"}, "Hello World!", "Greets the world")
    assert example.name == "greet"
    assert example.params == {"name": "World"}
    assert example.result == "Hello World!"
    assert example.description == "Greets the world"
    assert example.include_in_tests is True
    assert example.include_in_schema is True
    hidden = Example("hidden", include_in_tests=False, include_in_schema=False)
    assert (hidden.include_in_tests, hidden.include_in_schema, hidden.params) == (False, False, {})


@pytest.mark.parametrize(
    ("trigger", "method"),
    [(WEB_GET, "GET"), (WEB_POST, "POST"), (WEB_PUT, "PUT"), (WEB_PATCH, "PATCH"), (WEB_DELETE, "DELETE")],
)
def test_GIVEN_a_web_constant_THEN_it_is_a_web_trigger_of_its_method_with_a_derived_path(
    trigger: WebTrigger, method: str
) -> None:
    assert trigger == WebTrigger(method)  # type: ignore[arg-type]
    assert trigger.path is None


def test_GIVEN_no_cache_control_THEN_the_header_is_no_cache() -> None:
    assert NoCacheControl().cache_header() == "no-cache"


@pytest.mark.parametrize(
    ("control", "header"),
    [
        (TtlCacheControl(30), "private, max-age=30"),
        (TtlCacheControl(30, public=True), "public, max-age=30"),
        (TtlCacheControl(60, must_revalidate=True), "private, max-age=60, must-revalidate"),
        (TtlCacheControl(5, public=True, must_revalidate=True), "public, max-age=5, must-revalidate"),
    ],
)
def test_GIVEN_a_ttl_cache_control_THEN_the_header_says_who_may_cache_and_for_how_long(
    control: TtlCacheControl, header: str
) -> None:
    assert control.cache_header() == header


def test_GIVEN_a_negative_ttl_WHEN_built_THEN_it_is_refused() -> None:
    with pytest.raises(ValueError, match="-1"):
        TtlCacheControl(-1)


def test_GIVEN_a_body_WHEN_tagged_THEN_the_etag_is_quoted_and_stable() -> None:
    tag = etag(b'"Hello World!"')

    assert tag.startswith('"')
    assert tag.endswith('"')
    assert len(tag) > 2
    assert etag(b'"Hello World!"') == tag
    assert etag(b'"Hello Moon!"') != tag


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ("", False),
        ('"abc"', True),
        ('"other"', False),
        ('"other", "abc"', True),
        ('W/"abc"', True),
        ('"x", W/"abc"', True),
        ("*", True),
        ("abc", False),
    ],
)
def test_GIVEN_an_if_none_match_header_THEN_etag_matches_handles_lists_weak_tags_and_star(
    header: str | None, matches: bool
) -> None:
    assert etag_matches(header, '"abc"') is matches


def test_GIVEN_user_code_THEN_everything_it_needs_imports_from_servey_cdk() -> None:
    import servey_cdk

    names = {
        "action",
        "Example",
        "WebTrigger",
        "WEB_GET",
        "WEB_POST",
        "WEB_PUT",
        "WEB_PATCH",
        "WEB_DELETE",
        "ScheduleTrigger",
        "FixedRateTrigger",
        "WebPageTrigger",
        "S3Trigger",
        "SubscriptionTrigger",
        "TtlCacheControl",
        "AllowAll",
        "AllowNone",
        "ScopeAccessControl",
        "Authorization",
        "subscription",
        "middleware",
    }
    assert names <= set(servey_cdk.__all__)
    assert all(hasattr(servey_cdk, name) for name in names)


def test_GIVEN_lambda_and_batch_options_WHEN_decorated_THEN_they_are_recorded() -> None:
    @action(timeout=120, memory=1024, batch_size=25)
    def heavy() -> None: ...

    record = get_action(heavy)

    assert record is not None
    assert (record.timeout, record.memory, record.batch_size) == (120, 1024, 25)


def test_GIVEN_an_s3_trigger_without_options_THEN_it_runs_for_created_objects_only() -> None:
    trigger = S3Trigger("uploads")
    assert (trigger.bucket, trigger.events, trigger.prefix, trigger.suffix) == (
        "uploads",
        ("created",),
        None,
        None,
    )


def test_GIVEN_a_page_trigger_without_options_THEN_path_and_template_are_left_to_the_name() -> None:
    assert WebPageTrigger() == WebPageTrigger(path=None, template=None, method="GET")


@action
def module_level() -> None: ...


def make_action(name: str) -> Action:
    @action(name=name)
    def made() -> str:
        return name

    found = get_action(made)
    assert found is not None
    return found


def test_GIVEN_an_action_made_by_a_factory_THEN_it_is_generated_under_its_given_name() -> None:
    made = make_action("made_1")

    assert made.is_generated
    assert made.name == "made_1"


def test_GIVEN_an_action_defined_at_module_level_THEN_it_is_not_generated() -> None:
    found = get_action(module_level)

    assert found is not None
    assert not found.is_generated
    assert found.qualified_name == f"{__name__}.module_level"


def test_GIVEN_a_timestamp_cache_control_THEN_a_list_is_as_new_as_its_newest_item_naive_times_utc() -> None:
    from datetime import UTC, datetime

    from servey_cdk import TimestampCacheControl

    control = TimestampCacheControl("changed", seconds=60, public=True)
    items = [
        {"changed": datetime(2026, 1, 2, 3, 4, 5, 999)},
        {"changed": datetime(2026, 1, 1, tzinfo=UTC)},
        {},
    ]
    assert control.last_modified(items) == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert control.last_modified({"changed": "yesterday"}) is None
    assert control.cache_header() == "public, max-age=60"
    assert TimestampCacheControl().cache_header() == "no-cache"
