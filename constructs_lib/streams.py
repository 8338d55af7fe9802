"""`ServeyStreams`: an event source mapping from a declared table's stream for each TableStreamTrigger.

Each mapping reports batch item failures (the Lambda adapter reports a batch's first failed
record and every later one), retries a failed record `retry_attempts` times and sends what
still fails, or grew older than `max_record_age_s`, to the trigger's dead-letter queue.
The function gets the stream's read grants from the mapping, and the table's real name as
`SERVEY_TABLE_<NAME>`, by which it tells one table's records from another's.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from constructs_lib.builders import construct_id, dead_letter_queue, dead_letter_queue_props_problems
from constructs_lib.functions import ServeyFunctions
from constructs_lib.props import Props, raise_if_any
from servey_cdk.appspec import AppSpec
from servey_cdk.wire import TABLE_PREFIX, environment_name

STARTING_POSITIONS = {
    "latest": lambda_.StartingPosition.LATEST,
    "trim_horizon": lambda_.StartingPosition.TRIM_HORIZON,
}


class ServeyStreams(Construct):
    """Attributes: `dead_letter_queues` (`sqs.Queue` by StreamTriggerSpec name)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: AppSpec,
        functions: ServeyFunctions,
        tables: Mapping[str, dynamodb.ITable],
        dead_letter_queue_props: Props | None = None,
    ) -> None:
        super().__init__(scope, id)
        raise_if_any("ServeyStreams", streams_problems(spec, tables, dead_letter_queue_props))
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        for trigger in spec.stream_triggers:
            table = tables[trigger.table]
            function = functions.functions[trigger.function]
            queue = dead_letter_queue(
                self, f"{construct_id(trigger.name)}Dlq", f"the stream records {trigger.action} failed on",
                dead_letter_queue_props,
            )  # fmt: skip
            self.dead_letter_queues[trigger.name] = queue
            function.add_event_source(
                sources.DynamoEventSource(
                    table,
                    starting_position=STARTING_POSITIONS[trigger.starting_position],
                    batch_size=trigger.batch_size,
                    retry_attempts=trigger.retry_attempts,
                    max_record_age=Duration.seconds(trigger.max_record_age_s),
                    report_batch_item_failures=True,
                    on_failure=sources.SqsDlq(queue),
                )
            )
            function.add_environment(environment_name(TABLE_PREFIX, trigger.table), table.table_name)


def streams_problems(
    spec: AppSpec,
    given_tables: Mapping[str, dynamodb.ITable] | None,
    dead_letter_queue_props: Props | None = None,
) -> list[str]:
    """Each stream trigger on a table whose stream the stack cannot know: one adopted by name or ARN,
    or given (`tables=`) without its stream."""
    adopted = {table.name for table in spec.tables if table.existing is not None}
    problems = []
    for trigger in spec.stream_triggers:
        given = (given_tables or {}).get(trigger.table)
        if given is None and trigger.table not in adopted:
            continue
        if given is not None and given.table_stream_arn is not None:
            continue
        how = "is adopted by name or ARN" if given is None else "is given without a stream"
        problems.append(
            f"action {trigger.action!r}: table {trigger.table!r} {how}, so its stream is unknown; "
            "pass the table's construct, with its stream, in tables="
        )
    return problems + dead_letter_queue_props_problems(dead_letter_queue_props)
