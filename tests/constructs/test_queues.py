"""ServeyQueues: a queue per linked action, a DLQ, partial batch failures, sends by publishers only."""

from __future__ import annotations

from servey_cdk.appspec import AppSpec
from tests.constructs.template_queries import (
    Resources,
    actions_of,
    app_function,
    of_type,
    policy_statements,
    role_of,
)


def _queue(resources: Resources) -> tuple[str, dict[str, object]]:
    queues = of_type(resources, "AWS::SQS::Queue")
    return next((name, v["Properties"]) for name, v in queues.items() if "QueueName" in v["Properties"])


def test_GIVEN_the_sample_stack_THEN_the_queue_name_ends_with_the_queue_spec_name(
    resources: Resources,
) -> None:
    _, queue = _queue(resources)
    assert str(queue["QueueName"]).endswith("-messager-record_message")


def test_GIVEN_the_sample_stack_THEN_the_queue_redrives_to_a_dead_letter_queue_after_the_specs_receive_count(
    resources: Resources, spec: AppSpec
) -> None:
    _, queue = _queue(resources)
    assert queue["RedrivePolicy"]["maxReceiveCount"] == spec.queues[0].max_receive_count  # type: ignore[index]


def test_GIVEN_the_sample_stack_THEN_the_queue_is_encrypted_and_times_out_after_the_specs_visibility(
    resources: Resources, spec: AppSpec
) -> None:
    _, queue = _queue(resources)
    assert queue["SqsManagedSseEnabled"] is True
    assert queue["VisibilityTimeout"] == spec.queues[0].visibility_timeout


def test_GIVEN_the_sample_stack_THEN_the_queue_consumer_reports_partial_batch_failures(
    resources: Resources,
) -> None:
    (mapping,) = of_type(resources, "AWS::Lambda::EventSourceMapping").values()
    function, _ = app_function(resources, "record_message")
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["Properties"]["BatchSize"] == 10
    assert mapping["Properties"]["FunctionName"] == {"Ref": function}


def test_GIVEN_the_sample_stack_THEN_only_publishers_may_send_to_the_queue(
    resources: Resources, spec: AppSpec
) -> None:
    queue, _ = _queue(resources)

    def sends(name: str) -> bool:
        statements = policy_statements(resources, role_of(resources, name))
        return "sqs:SendMessage" in actions_of([s for s in statements if queue in str(s["Resource"])])

    assert {item.name for item in spec.functions if sends(item.name)} == {"broadcast_message"}


def test_GIVEN_the_sample_stack_THEN_publishers_learn_the_queue_url_from_their_environment(
    resources: Resources,
) -> None:
    queue, _ = _queue(resources)
    _, properties = app_function(resources, "broadcast_message")
    assert properties["Environment"]["Variables"]["SERVEY_QUEUE_MESSAGER_RECORD_MESSAGE"] == {"Ref": queue}
