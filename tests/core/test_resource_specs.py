"""Resources from code in the AppSpec: what is declared, what each action and function uses, and
every problem found before anything is deployed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from servey_cdk import Bucket, Idempotency, Index, Key, Parameter, S3Trigger, Secret, Table, action
from servey_cdk.appspec import AppSpec, UseSpec
from servey_cdk.appspec_builder import build_spec
from servey_cdk.errors import AppDefinitionError
from servey_cdk.idempotency import IDEMPOTENCY_TABLE
from servey_cdk.resources import iam_actions
from servey_cdk.triggers import TableStreamTrigger
from tests.conftest import registry_of

ORDERS = Table(
    "orders",
    partition_key="customer",
    sort_key=Key("placed_at", "N"),
    indexes=(Index("by_status", "status", projection=("total",)),),
    ttl_attribute="expires_at",
    stream="new_and_old_images",
    seed=({"customer": "ada", "placed_at": 1, "total": Decimal("4.20"), "tags": {"new"}},),
)
UPLOADS = Bucket("uploads")
API_KEY = Secret("api-key")
GREETING = Parameter("greeting", initial="hello")


@action(uses=(ORDERS.read(), API_KEY.read()))
def list_orders(customer: str) -> int:
    return 0


@action(uses=(ORDERS.read(), ORDERS.write(), UPLOADS.write(), GREETING.read()), idempotent=True)
def place_order(customer: str, total: int) -> int:
    return total


@action(triggers=TableStreamTrigger(ORDERS, batch_size=10))
def on_order(event_name: str, new_image: dict[str, object] | None = None) -> None:
    pass


@action(triggers=S3Trigger("drops"))
def on_drop(bucket: str, key: str) -> None:
    pass


def spec_of(*functions: object, **extra: object) -> AppSpec:
    return build_spec(registry_of(*functions, **extra))  # type: ignore[arg-type]


def test_GIVEN_declared_resources_WHEN_built_THEN_each_is_in_the_spec_once_with_its_settings() -> None:
    spec = spec_of(list_orders, place_order, on_order, on_drop, resources=(ORDERS, UPLOADS))

    assert [table.name for table in spec.tables] == ["orders", IDEMPOTENCY_TABLE.name]
    [orders, _] = spec.tables
    assert (orders.partition_key.name, orders.partition_key.type) == ("customer", "S")
    assert (orders.sort_key and orders.sort_key.type) == "N"
    assert [(i.name, i.projection, i.attributes) for i in orders.indexes] == [
        ("by_status", "include", ("total",))
    ]
    assert (orders.ttl_attribute, orders.stream) == ("expires_at", "new_and_old_images")
    assert orders.seed == (
        {"customer": {"S": "ada"}, "placed_at": {"N": "1"}, "total": {"N": "4.20"}, "tags": {"SS": ["new"]}},
    )
    assert [bucket.name for bucket in spec.buckets] == ["uploads", "drops"]  # "drops": named by a trigger
    assert [secret.name for secret in spec.secrets] == ["api-key"]
    assert [(p.name, p.initial) for p in spec.parameters] == [("greeting", "hello")]


def test_GIVEN_uses_WHEN_built_THEN_each_function_is_given_exactly_its_actions_uses_merged() -> None:
    spec = spec_of(list_orders, place_order)

    assert spec.function("list_orders").uses == (
        UseSpec("table", "orders", "read"),
        UseSpec("secret", "api-key", "read"),
    )
    assert spec.function("place_order").uses == (
        UseSpec("table", "orders", "read_write"),  # read() and write() are read_write
        UseSpec("bucket", "uploads", "write"),
        UseSpec("parameter", "greeting", "read"),
        UseSpec("table", IDEMPOTENCY_TABLE.name, "read_write"),  # where its requests are recorded
    )
    assert spec.action("place_order").idempotency is not None


def test_GIVEN_one_router_for_all_WHEN_built_THEN_it_is_granted_the_union() -> None:
    from servey_cdk.appspec_builder import BuildSettings
    from servey_cdk.wire import ROUTER

    spec = build_spec(registry_of(list_orders, place_order), BuildSettings(router_for_all=True))

    assert {(use.resource, use.access) for use in spec.function(ROUTER).uses} == {
        ("orders", "read_write"),
        ("api-key", "read"),
        ("uploads", "write"),
        ("greeting", "read"),
        (IDEMPOTENCY_TABLE.name, "read_write"),
    }


def test_GIVEN_a_stream_trigger_WHEN_built_THEN_its_spec_names_the_table_and_batching() -> None:
    [trigger] = spec_of(on_order).stream_triggers

    assert (trigger.name, trigger.table, trigger.batch_size) == ("on_order-stream", "orders", 10)
    assert (trigger.starting_position, trigger.retry_attempts) == ("latest", 3)


def test_GIVEN_the_spec_as_shipped_WHEN_read_back_THEN_resources_and_uses_are_equal() -> None:
    spec = spec_of(list_orders, place_order, on_order, on_drop)

    assert AppSpec.from_dict(spec.to_dict()) == spec


def test_GIVEN_each_access_THEN_its_iam_actions_are_exactly_what_it_needs() -> None:
    assert iam_actions("bucket", "read") == ("s3:GetObject", "s3:ListBucket")
    assert iam_actions("secret", "read") == ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue")
    reads, writes = iam_actions("table", "read"), iam_actions("table", "write")
    assert "dynamodb:PutItem" not in reads
    assert "dynamodb:Query" not in writes
    assert iam_actions("table", "read_write") == tuple(sorted(set(reads) | set(writes)))


def test_GIVEN_problems_of_resources_WHEN_built_THEN_all_are_reported_at_once() -> None:
    flat = Table("flat")
    odd = Table("odd", stream="everything", indexes=(Index("i", "a"), Index("i", "b")), seed=({"x": 1},))  # type: ignore[arg-type]
    no_value = Parameter("no-value")
    sorted_table = Table("sorted", sort_key="at")

    @action(uses=(odd.read(), no_value.read(), Table("odd").read(), "orders"))  # type: ignore[arg-type]
    def bad() -> None:
        pass

    @action(triggers=TableStreamTrigger(flat, batch_size=0))
    def on_flat(event_name: str, size: int) -> None:
        pass

    @action(idempotent=Idempotency(table=sorted_table, key=("missing",)))
    def keyed(order_id: str) -> None:
        pass

    with pytest.raises(AppDefinitionError) as raised:
        spec_of(bad, on_flat, keyed, resources=(Bucket("Not_A_Bucket"),))
    problems = raised.value.problems

    expected = [
        "table 'odd': stream is one of keys_only, new_image, old_image, new_and_old_images",
        "table 'odd': index 'i' is declared twice",
        "table 'odd': seed item 0 has no pk",
        "parameter 'no-value': give it an initial value",
        "table 'odd' is declared twice: declare it once, import it",
        "action 'bad': uses= takes what a resource's read() or read_write() gives, not 'orders'",
        "bucket 'Not_A_Bucket': the name must match",
        "action 'on_flat' TableStreamTrigger on table 'flat': the table has no stream",
        "action 'on_flat' TableStreamTrigger on table 'flat': parameter(s) size are not of a record",
        "action 'on_flat' TableStreamTrigger on table 'flat': batch_size must be 1-10000",
        "action 'keyed' idempotency: table 'sorted' needs a string partition key and no sort key",
        "action 'keyed' idempotency: key names missing, which the action does not take",
    ]
    for start in expected:
        assert any(problem.startswith(start) for problem in problems), (start, problems)
