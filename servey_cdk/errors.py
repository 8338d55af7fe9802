"""One error model for every entry point.

Each error knows its HTTP status, a short code for JSON bodies and an `errorType` for
GraphQL, so REST, AppSync, queues and direct invokes report the same failure alike.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ServeyError(Exception):
    """An error with a meaning for the caller. Actions may raise these too."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    error_type: ClassVar[str] = "InternalError"
    action: str | None = None  # the action it came out of, for the log; set by the invocation pipeline

    def __init__(self, message: str, detail: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail if detail is not None else message

    def body(self, request_id: str | None) -> dict[str, Any]:
        """The JSON body of an error response."""
        return {"error": self.code, "detail": self.detail, "request_id": request_id}


class InvalidInput(ServeyError):
    status = 422
    code = "invalid_input"
    error_type = "InvalidInput"


class Unauthorized(ServeyError):
    status = 401
    code = "unauthorized"
    error_type = "Unauthorized"


class Forbidden(ServeyError):
    status = 403
    code = "forbidden"
    error_type = "Forbidden"


class NotFound(ServeyError):
    status = 404
    code = "not_found"
    error_type = "NotFound"


class MethodNotAllowed(ServeyError):
    status = 405
    code = "method_not_allowed"
    error_type = "MethodNotAllowed"


class Conflict(ServeyError):
    status = 409
    code = "conflict"
    error_type = "Conflict"


class PayloadTooLarge(ServeyError):
    status = 413
    code = "payload_too_large"
    error_type = "PayloadTooLarge"


class ResponseTooLarge(ServeyError):
    """An answer over a limit AWS enforces on the way back; 502, as API Gateway answers then."""

    status = 502
    code = "response_too_large"
    error_type = "ResponseTooLarge"


class TimedOut(ServeyError):
    """An invocation that ran past the time its caller waits (API Gateway's 29 s, AppSync's 30 s)."""

    status = 504
    code = "timed_out"
    error_type = "TimedOut"


class ActionFailed(ServeyError):
    """An action's own unexpected exception; the caller learns nothing of its internals."""

    def __init__(self, action_name: str) -> None:
        super().__init__(f"action {action_name!r} failed; see the logs for the request id")
        self.action_name = action_name


class BatchMismatch(ServeyError):
    """A batch function's answer that is not one result per parent: each parent gets this error."""

    error_type = "BatchMismatch"


class AppDefinitionError(Exception):
    """The app's metadata cannot be deployed as written (raised at build time)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(f"- {problem}" for problem in problems))
        self.problems = problems
