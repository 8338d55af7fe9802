"""Direct invokes: `{"action": name, "params": {...}}` from `lambda:Invoke`.

A function of one action may leave `action` out. The answer is the serialized result,
or a typed error object `{"error", "errorType", "detail", "request_id"}`. A caller
proves who it is with a signed token (`"token": "<jwt>"`), checked like a bearer
header; any other key is ignored, so an unsigned authorization is never accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from servey_cdk.aws.runtime import Runtime
from servey_cdk.errors import InvalidInput, ServeyError


class InvokeSource:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        actions: list[str] = list(runtime.function["actions"]) if runtime.function is not None else []
        self._own = actions[0] if len(actions) == 1 else None

    def matches(self, event: Any) -> bool:
        return type(event) is dict and ("action" in event or "params" in event)

    def handle(self, event: Mapping[str, Any], request_id: str) -> Any:
        name = event.get("action") or self._own
        try:
            if not isinstance(name, str):
                raise InvalidInput('the payload names no action: send {"action": name, "params": {...}}')
            params = event.get("params") or {}
            if not isinstance(params, Mapping):
                raise InvalidInput(f"params for action {name!r} must be a JSON object")
            runner = self.runtime.runner(name)
            return runner.dump(
                runner.invoke(
                    params,
                    authorization=self.runtime.verify_token(event.get("token")),
                    source="invoke",
                    request_id=request_id,
                )
            )
        except ServeyError as error:
            self.runtime.report(error, action=name)
            return {**error.body(request_id), "errorType": error.error_type}
