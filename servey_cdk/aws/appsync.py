"""AppSync direct Lambda resolvers (single and batch) and AppSync's Lambda authorizer.

A resolver event names its field in `info`: for `Query` and `Mutation` the field is
the action; for any other type it is a nested action, and `source` is the parent
object it is a method of. Arguments are the action's parameters by their Python names.

The caller's authorization comes from `identity.resolverContext`, which AppSync
fills only from our authorizer's answer after it approved the token. AppSync refuses
a request without an `Authorization` header before any authorizer runs, so a caller
without a token sends `Authorization: anonymous`: the authorizer approves it with no
claims, and each action's access control then decides, as on REST.

Errors: a single resolver raises, and the Lambda runtime reports the exception's
class name as AppSync's `errorType`, so the exception raised is named after the
error's `error_type`. A batch answers one `{"data", "errorMessage", "errorType"}`
per event, so one failed parent does not fail its siblings.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from servey_cdk.aws.runtime import Runtime, authorization_from_context
from servey_cdk.errors import ServeyError, Unauthorized

ROOT_TYPES = frozenset({"Query", "Mutation", "Subscription"})
MAX_AUTHORIZER_TTL_S = 3600  # AppSync's ceiling for ttlOverride
ANONYMOUS = "anonymous"  # the Authorization header of a caller without a token


class AppSyncAdapter:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def resolve(self, event: Mapping[str, Any], request_id: str) -> Any:
        try:
            return self._resolve(event, request_id)
        except ServeyError as error:
            self._report(event, error)
            raise resolver_error(error, request_id) from None

    def resolve_batch(self, events: list[Mapping[str, Any]], request_id: str) -> list[dict[str, Any]]:
        answers: list[dict[str, Any]] = []
        for event in events:
            try:
                answers.append({"data": self._resolve(event, request_id)})
            except ServeyError as error:
                self._report(event, error)
                answers.append(
                    {"data": None, "errorMessage": _message(error, request_id), "errorType": error.error_type}
                )
        return answers

    def authorize(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """Answer AppSync's Lambda authorizer: approve a valid token and pass on its claims."""
        token = str(event.get("authorizationToken") or "")
        if token == ANONYMOUS:
            return {"isAuthorized": True, "resolverContext": {}, "ttlOverride": MAX_AUTHORIZER_TTL_S}
        scheme, _, rest = token.partition(" ")
        try:
            authorization = self.runtime.verify_token(rest.strip() if scheme.lower() == "bearer" else token)
        except Unauthorized as error:
            self.runtime.log.rejected(f"authorizer: {error.message}")
            return {"isAuthorized": False}
        if authorization is None:
            return {"isAuthorized": False}
        context = {"sub": authorization.subject_id or "", "scope": " ".join(sorted(authorization.scopes))}
        ttl = MAX_AUTHORIZER_TTL_S
        if authorization.not_before is not None:
            context["nbf"] = str(int(authorization.not_before.timestamp()))
        if authorization.expire_at is not None:
            expires = int(authorization.expire_at.timestamp())
            context["exp"] = str(expires)
            ttl = max(0, min(ttl, expires - int(time.time())))
        return {"isAuthorized": True, "resolverContext": context, "ttlOverride": ttl}

    def _resolve(self, event: Mapping[str, Any], request_id: str) -> Any:
        info = event.get("info") or {}
        field, parent = info.get("fieldName"), info.get("parentTypeName")
        runner = self.runtime.runner(str(field))
        identity = event.get("identity") or {}
        result = runner.invoke(
            event.get("arguments") or {},
            authorization=authorization_from_context(identity.get("resolverContext")),
            source="graphql",
            request_id=request_id,
            owner=None if parent in ROOT_TYPES else event.get("source"),
        )
        return runner.dump(result)

    def _report(self, event: Mapping[str, Any], error: ServeyError) -> None:
        info = event.get("info") or {}
        self.runtime.report(error, field=f"{info.get('parentTypeName')}.{info.get('fieldName')}")


_ERROR_CLASSES: dict[str, type[Exception]] = {}


def resolver_error(error: ServeyError, request_id: str) -> Exception:
    """An exception whose class name is the error's `error_type`, for AppSync's `errorType`."""
    cls = _ERROR_CLASSES.get(error.error_type)
    if cls is None:
        cls = _ERROR_CLASSES[error.error_type] = type(
            error.error_type, (Exception,), {"__module__": __name__}
        )
    return cls(_message(error, request_id))


def _message(error: ServeyError, request_id: str) -> str:
    return f"{error.message} (request {request_id})"
