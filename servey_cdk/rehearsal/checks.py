"""The rehearsal's checks of an answer: each says what is wrong with it, or None when it is right."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from servey_cdk.graphql_names import camel_case
from servey_cdk.matchers import from_markers, settle
from servey_cdk.rehearsal.sandbox import Answer

HANDLED_ERRORS = frozenset({"InvalidInput", "Unauthorized", "Forbidden", "NotFound"})  # answers, not crashes
Check = Callable[[Answer], str | None]  # None when the answer is right, else what is wrong


def crash(answer: Answer) -> str | None:
    """A Lambda error other than a handled one: an import failure, an unexpected exception."""
    if answer.error is None or answer.error.get("errorType") in HANDLED_ERRORS:
        return None
    message = f"{answer.error.get('errorType')}: {answer.error.get('errorMessage')}"
    return message if not answer.log else f"{message} (log: {answer.log.strip().splitlines()[-1][:300]})"


def no_check(answer: Answer) -> str | None:
    return f"{answer.error['errorType']}: {answer.error['errorMessage']}" if answer.error else None


def handled(answer: Answer) -> str | None:
    """Any answer but a crash: a call without an example may well be refused."""
    return None


def status(expected: int) -> Check:
    def check(answer: Answer) -> str | None:
        status = (answer.result or {}).get("statusCode") if isinstance(answer.result, dict) else None
        return None if status == expected else f"status {status}, not {expected}: {body(answer)[:200]}"

    return check


def answered(answer: Answer) -> str | None:
    status = answer.result.get("statusCode") if isinstance(answer.result, dict) else None
    if not isinstance(status, int) or status >= 500:
        return f"no proxy answer under 500 (status {status}): {body(answer)[:200]}"
    return None


def rest_result(expected: Any) -> Check:
    """A success (an action's `Response` may choose 201, say) whose body is the example's result."""

    def check(answer: Answer) -> str | None:
        status = answer.result.get("statusCode") if isinstance(answer.result, dict) else None
        if not isinstance(status, int) or not 200 <= status < 300:
            return f"status {status}, not a success: {body(answer)[:200]}"
        return None if status == 204 else differs(json.loads(body(answer)), expected)

    return check


def equal(expected: Any, keys: Callable[[Any], Any] | None = None) -> Check:
    def check(answer: Answer) -> str | None:
        if answer.error:
            return f"{answer.error['errorType']}: {answer.error['errorMessage']}"
        if keys is not None:
            return differs(keys(answer.result), keys(expected))
        return differs(answer.result, expected)

    return check


def camel_case_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {camel_case(str(key)): camel_case_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [camel_case_keys(item) for item in value]
    return value


def differs(actual: Any, expected: Any) -> str | None:
    """How an answer differs from an example's result, whose markers (`<any UUID>`) hold for their kind."""
    if actual == settle(from_markers(expected), actual):
        return None
    return f"gave {json.dumps(actual)[:200]}, the example says {json.dumps(expected)[:200]}"


def accepted(answer: Answer) -> str | None:
    """An SNS or EventBridge event some action of the function took, and none failed on."""
    if answer.error:
        return f"{answer.error['errorType']}: {answer.error['errorMessage']}"
    if isinstance(answer.result, list) and answer.result:
        return None
    return f"no action of the function took it (answered {json.dumps(answer.result)[:200]})"


def authorized(answer: Answer) -> str | None:
    return (
        None
        if isinstance(answer.result, dict) and answer.result.get("isAuthorized")
        else f"refused: {answer.result}"
    )


def issued(answer: Answer) -> str | None:
    result = answer.result
    if isinstance(result, dict) and result.get("access_token"):
        return None
    return f"no token: {json.dumps(result)[:300]}"


def not_refused(answer: Answer) -> str | None:
    result = answer.result
    if isinstance(result, dict) and result.get("errorType") in ("Unauthorized", "Forbidden"):
        return f"refused: {result.get('detail')}"
    return None


def answered_invoke(answer: Answer) -> str | None:
    result = answer.result
    if isinstance(result, dict) and result.get("errorType") not in (None, *HANDLED_ERRORS):
        return f"{result.get('errorType')}: {result.get('detail')}"
    return None


def no_batch_failures(answer: Answer) -> str | None:
    failures = (answer.result or {}).get("batchItemFailures") if isinstance(answer.result, dict) else None
    return None if failures == [] else f"batchItemFailures {failures}"


def body(answer: Answer) -> str:
    if isinstance(answer.result, dict):
        return str(answer.result.get("body") or "")
    return json.dumps(answer.result)
