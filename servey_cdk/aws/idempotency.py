"""The runtime of `@action(idempotent=…)`: Powertools' idempotency utility around the action's call.

A request is told apart by the action, the caller (the token's subject, None for no caller) and
the parameters the `Idempotency` names (all of them when it names none). Its first run's result
is kept in the declared table for `expires_after_s` and given again to its repeats, without
running the action; a run that fails keeps nothing, so its retry runs again. A repeat that comes
while the first run is still going is refused with 409, as Powertools refuses it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from servey_cdk.aws.logs import invoked_context
from servey_cdk.errors import Conflict
from servey_cdk.middleware import CallNext, Invocation

if TYPE_CHECKING:
    from servey_cdk.idempotency import Idempotency
    from servey_cdk.invocation import ActionRunner


class IdempotentCall:
    """Middleware of one idempotent action, innermost: it sees the validated parameters."""

    def __init__(self, runner: ActionRunner, setting: Idempotency) -> None:
        self.runner = runner
        self.setting = setting
        # Powertools' decorated call and its config, by the table's deployed name and the DynamoDB
        # endpoint its client was made for: each run of servey-local's local AWS has its own.
        self._calls: dict[tuple[str, str | None], tuple[Any, Any]] = {}

    def __call__(self, invocation: Invocation, call_next: CallNext) -> Any:
        from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
        from pydantic_core import to_jsonable_python

        named = self.setting.key or tuple(invocation.params)
        caller = invocation.authorization.subject_id if invocation.authorization is not None else None
        request = {
            "caller": caller,
            "params": {
                name: to_jsonable_python(invocation.params[name], fallback=str)
                for name in named
                if name in invocation.params and name != self.runner.signature.authorization
            },
        }
        call, config = self._call()
        context = invoked_context()
        if hasattr(context, "get_remaining_time_in_millis"):  # a run cut short by its timeout expires
            config.register_lambda_context(context)
        try:
            return call(request=request, invocation=invocation, call_next=call_next)
        except IdempotencyAlreadyInProgressError:
            raise Conflict(
                f"action {invocation.action.name!r}: the same request is still running; retry after it ends"
            ) from None

    def _call(self) -> tuple[Any, Any]:
        name = self.setting.table.table_name  # refused unless the function is granted the table
        key = (name, os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"))
        call = self._calls.get(key)
        if call is None:
            call = self._calls[key] = self._decorated(name)
        return call

    def _decorated(self, table_name: str) -> tuple[Any, Any]:
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            IdempotencyConfig,
            idempotent_function,
        )
        from aws_lambda_powertools.utilities.idempotency.serialization.custom_dict import CustomDictSerializer

        from servey_cdk.resources.declared import Key

        table = self.setting.table
        key = table.partition_key.name if isinstance(table.partition_key, Key) else table.partition_key
        runner = self.runner
        serializer = CustomDictSerializer(
            to_dict=lambda result: {"result": runner.dump(result)},
            from_dict=lambda kept: runner.result_adapter.validate_python(kept["result"]),
        )

        def run(request: dict[str, Any], invocation: Invocation, call_next: CallNext) -> Any:
            return call_next(invocation)

        config = IdempotencyConfig(expires_after_seconds=self.setting.expires_after_s)
        decorated = idempotent_function(
            run,
            data_keyword_argument="request",
            persistence_store=DynamoDBPersistenceLayer(
                table_name=table_name, key_attr=key, expiry_attr=table.ttl_attribute or "expiration"
            ),
            config=config,
            output_serializer=serializer,
            key_prefix=f"{runner.action.fn.__module__}.{runner.action.name}",
        )
        return decorated, config
