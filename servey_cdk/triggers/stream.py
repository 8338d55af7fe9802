"""Table streams: an action run for each change of an item in a declared table.

Metadata `TableStreamTrigger`, AppSpec entry `StreamTriggerSpec`. Lambda adapter
`servey_cdk/aws/streams.py`, construct `constructs_lib/streams.py`, emulator
`local_runtime/streams.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from servey_cdk.wire import trigger_name

if TYPE_CHECKING:
    from servey_cdk.action import Action
    from servey_cdk.appspec import StreamTriggerSpec
    from servey_cdk.resources.declared import Table

# What the action may take of a record: the change (INSERT, MODIFY or REMOVE), the item's keys,
# and its images after and before, as plain values (numbers as `Decimal`).
RECORD_PARAMS = ("event_name", "keys", "new_image", "old_image")
IMAGES_OF_VIEW = {
    "keys_only": (),
    "new_image": ("new_image",),
    "old_image": ("old_image",),
    "new_and_old_images": ("new_image", "old_image"),
}
MAX_BATCH_SIZE, MAX_RETRY_ATTEMPTS, MAX_RECORD_AGE_S = 10000, 10000, 604800


@dataclass(frozen=True)
class TableStreamTrigger:
    """Run the action for each record of `table`'s stream (the table declares `stream=`).

    Records come in batches of up to `batch_size`, in order. When the action fails on a record,
    the function reports it as the batch's first failure: the record and those after it are
    retried, up to `retry_attempts` times, then sent to a dead-letter queue, as Lambda's event
    source mapping does with `ReportBatchItemFailures`.
    """

    table: Table
    batch_size: int = 100
    starting_position: Literal["latest", "trim_horizon"] = "latest"
    retry_attempts: int = 3
    max_record_age_s: int = 86400


def stream_trigger_specs(
    actions: tuple[Action, ...], function_of: dict[str, str], problems: list[str]
) -> tuple[StreamTriggerSpec, ...]:
    from servey_cdk.appspec import StreamTriggerSpec
    from servey_cdk.signature import signature_of

    specs = []
    for action in actions:
        triggers = action.triggers_of(TableStreamTrigger)
        for index, trigger in enumerate(triggers):
            where = f"action {action.name!r} TableStreamTrigger on table {trigger.table.name!r}"
            view = trigger.table.stream
            if view is None:
                problems.append(
                    f"{where}: the table has no stream; declare it with stream='new_and_old_images'"
                )
            try:
                names = [parameter.name for parameter in signature_of(action).inputs]
            except TypeError:
                names = []  # reported with the action's own checks
            unknown = [name for name in names if name not in RECORD_PARAMS]
            if unknown:
                known = ", ".join(RECORD_PARAMS)
                problems.append(f"{where}: parameter(s) {', '.join(unknown)} are not of a record ({known})")
            carried = IMAGES_OF_VIEW.get(view or "", ("new_image", "old_image"))
            missing = [name for name in ("new_image", "old_image") if name in names and name not in carried]
            if missing:
                problems.append(
                    f"{where}: the table's stream view {view!r} carries no {' or '.join(missing)}"
                )
            if not 1 <= trigger.batch_size <= MAX_BATCH_SIZE:
                problems.append(f"{where}: batch_size must be 1-{MAX_BATCH_SIZE}")
            if not 0 <= trigger.retry_attempts <= MAX_RETRY_ATTEMPTS:
                problems.append(f"{where}: retry_attempts must be 0-{MAX_RETRY_ATTEMPTS}")
            if not 60 <= trigger.max_record_age_s <= MAX_RECORD_AGE_S:
                problems.append(f"{where}: max_record_age_s must be 60-{MAX_RECORD_AGE_S}")
            if trigger.starting_position not in ("latest", "trim_horizon"):
                problems.append(f"{where}: starting_position is 'latest' or 'trim_horizon'")
            specs.append(
                StreamTriggerSpec(
                    name=trigger_name(f"{action.name}-stream", index, len(triggers)),
                    action=action.name,
                    function=function_of[action.name],
                    table=trigger.table.name,
                    batch_size=trigger.batch_size,
                    starting_position=trigger.starting_position,
                    retry_attempts=trigger.retry_attempts,
                    max_record_age_s=trigger.max_record_age_s,
                )
            )
    return tuple(specs)
