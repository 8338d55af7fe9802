"""AppSync direct Lambda resolvers (single and batch) and AppSync's Lambda authorizer.

A resolver event names its field in `info`: for `Query` and `Mutation` the field is
the action; for any other type it is a nested action, and `source` is the parent
object it is a method of. Arguments are the action's parameters by their GraphQL names:
the Python names, or their camelCase where the app chose it (`servey_cdk.graphql_names`),
which are renamed to the Python names before validation, and the result's back after.

The caller's authorization comes from `identity.resolverContext`, which AppSync
fills only from our authorizer's answer after it approved the token. AppSync refuses
a request without an `Authorization` header before any authorizer runs, so a caller
without a token sends `Authorization: anonymous`: the authorizer approves it with no
claims, and each action's access control then decides, as on REST.

Errors: a single resolver raises, and the Lambda runtime reports the exception's
class name as AppSync's `errorType`, so the exception raised is named after the
error's `error_type`. A batch answers one `{"data", "errorMessage", "errorType"}`
per event, in order, so one failed parent does not fail its siblings. A batch function's
events are answered by one call for all their parents (one per distinct arguments and
caller), each parent getting its item of the function's list.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from servey_cdk.authorization import Authorization, authorization_from_claims, claims_of
from servey_cdk.aws.http import MAX_RESPONSE_BYTES, response_too_large
from servey_cdk.aws.runtime import Runtime
from servey_cdk.errors import NotFound, ServeyError, Unauthorized
from servey_cdk.graphql_names import PYTHON_NAMES, ActionFieldNames, FieldRenamer
from servey_cdk.invocation import ActionRunner

ROOT_TYPES = frozenset({"Query", "Mutation", "Subscription"})
MAX_AUTHORIZER_TTL_S = 3600  # AppSync's ceiling for ttlOverride
ANONYMOUS = "anonymous"  # the Authorization header of a caller without a token


class ResolverSource:
    """Resolver events, one (an object with `info` and `arguments`) or a batch (a list of them)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        graphql = runtime.spec["graphql"]
        resolvers = graphql["resolvers"] if graphql is not None else ()
        self._actions = {
            (resolver["type_name"], resolver["field_name"]): resolver["action"]
            for resolver in resolvers
            if runtime.own(resolver["function"])
        }
        camel = graphql is not None and graphql["field_names"] == "camelCase"
        self._renamer = FieldRenamer("camelCase") if camel else None
        self._names: dict[str, ActionFieldNames] = {}

    def matches(self, event: Any) -> bool:
        if type(event) is list:
            return bool(event) and all(_is_resolver_event(item) for item in event)
        return _is_resolver_event(event)

    def handle(self, event: Any, request_id: str) -> Any:
        if type(event) is list:
            return self.resolve_batch(event, request_id)
        return self.resolve(event, request_id)

    def resolve(self, event: Mapping[str, Any], request_id: str) -> Any:
        try:
            data = self._resolve(event, request_id)
            if _over_limit(data):
                raise response_too_large(self._action_of(event) or "?")
            return data
        except ServeyError as error:
            self._report(event, error)
            raise resolver_error(error, request_id) from None

    def resolve_batch(self, events: list[Mapping[str, Any]], request_id: str) -> list[dict[str, Any]]:
        answers: list[dict[str, Any] | None] = [None] * len(events)
        together: dict[str, list[int]] = {}  # a batch function's events, by what their call shares
        for index, event in enumerate(events):
            try:
                runner, parent = self._runner_of(event)
                if runner.signature.sources is not None and parent not in ROOT_TYPES:
                    together.setdefault(_call_key(runner.action.name, event), []).append(index)
                    continue
                answers[index] = {"data": self._invoke(runner, parent, event, request_id)}
            except ServeyError as error:
                self._report(event, error)
                answers[index] = _error_item(error, request_id)
        for indexes in together.values():
            items = self._resolve_together([events[i] for i in indexes], request_id)
            for index, item in zip(indexes, items, strict=True):
                answers[index] = item
        done = [answer for answer in answers if answer is not None]
        if events and _over_limit(done):  # Lambda would return none of them
            too_large = response_too_large(self._action_of(events[0]) or "?")
            self._report(events[0], too_large)
            return [_error_item(too_large, request_id) for _ in events]
        return done

    def _resolve_together(self, events: list[Mapping[str, Any]], request_id: str) -> list[dict[str, Any]]:
        """One call of a batch function for the parents of events that share their arguments and caller."""
        first = events[0]
        runner, _ = self._runner_of(first)
        identity = first.get("identity") or {}
        names = self._names_of(runner)
        outcomes = runner.invoke_batch(
            names.arguments_in(first.get("arguments") or {}),
            [names.owner_in(event.get("source")) for event in events],
            authorization=authorization_from_context(identity.get("resolverContext")),
            source="graphql",
            request_id=request_id,
        )
        items = []
        for event, outcome in zip(events, outcomes, strict=True):
            if isinstance(outcome, ServeyError):
                self._report(event, outcome)
                items.append(_error_item(outcome, request_id))
            else:
                items.append({"data": names.result_out(runner.dump(outcome))})
        return items

    def _action_of(self, event: Mapping[str, Any]) -> str | None:
        info = event.get("info") or {}
        return self._actions.get((str(info.get("parentTypeName")), str(info.get("fieldName"))))

    def _runner_of(self, event: Mapping[str, Any]) -> tuple[ActionRunner, str]:
        """The runner of the event's field, and the field's parent type."""
        info = event.get("info") or {}
        parent = str(info.get("parentTypeName"))
        action = self._action_of(event)
        if action is None:
            raise NotFound(f"this function resolves no field {parent}.{info.get('fieldName')}")
        return self.runtime.runner(action), parent

    def _resolve(self, event: Mapping[str, Any], request_id: str) -> Any:
        runner, parent = self._runner_of(event)
        return self._invoke(runner, parent, event, request_id)

    def _invoke(self, runner: ActionRunner, parent: str, event: Mapping[str, Any], request_id: str) -> Any:
        identity = event.get("identity") or {}
        names = self._names_of(runner)
        result = runner.invoke(
            names.arguments_in(event.get("arguments") or {}),
            authorization=authorization_from_context(identity.get("resolverContext")),
            source="graphql",
            request_id=request_id,
            owner=None if parent in ROOT_TYPES else names.owner_in(event.get("source")),
        )
        return names.result_out(runner.dump(result))

    def _names_of(self, runner: ActionRunner) -> ActionFieldNames:
        """How the action's GraphQL values are renamed: not at all, unless the app chose camelCase."""
        if self._renamer is None:
            return PYTHON_NAMES
        name = runner.action.name
        found = self._names.get(name)
        if found is None:
            signature = runner.signature
            parameters = [(parameter.name, parameter.annotation) for parameter in signature.inputs]
            found = self._renamer.of_action(parameters, runner.owner_type, signature.returns)
            self._names[name] = found
        return found

    def _report(self, event: Mapping[str, Any], error: ServeyError) -> None:
        """Log a field's error, naming its action: a batch's items fail without raising."""
        info = event.get("info") or {}
        keys = {"field": f"{info.get('parentTypeName')}.{info.get('fieldName')}"}
        action = self._action_of(event)
        if action is not None:
            keys["action"] = action
        self.runtime.report(error, **keys)


class AuthorizerSource:
    """AppSync's Lambda authorizer: `authorizationToken` and the request's context."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def matches(self, event: Any) -> bool:
        return type(event) is dict and "authorizationToken" in event and "requestContext" in event

    def handle(self, event: Mapping[str, Any], request_id: str) -> dict[str, Any]:
        return self.authorize(event)

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
        ttl = MAX_AUTHORIZER_TTL_S
        if authorization.expire_at is not None:
            ttl = max(0, min(ttl, int(authorization.expire_at.timestamp()) - int(time.time())))
        return {"isAuthorized": True, "resolverContext": claims_of(authorization), "ttlOverride": ttl}


def _call_key(action: str, event: Mapping[str, Any]) -> str:
    """What one call of a batch function shares: its field's arguments and its caller."""
    identity = event.get("identity") or {}
    shared = [action, event.get("arguments"), identity.get("resolverContext")]
    return json.dumps(shared, sort_keys=True, default=str)


def _is_resolver_event(event: Any) -> bool:
    return type(event) is dict and isinstance(event.get("info"), dict) and "arguments" in event


def authorization_from_context(resolver_context: Mapping[str, Any] | None) -> Authorization | None:
    """The claims our authorizer approved, as it put them in the resolver context; None without a token."""
    return authorization_from_claims(resolver_context) if resolver_context else None


_ERROR_CLASSES: dict[str, type[Exception]] = {}


def resolver_error(error: ServeyError, request_id: str) -> Exception:
    """An exception whose class name is the error's `error_type`, for AppSync's `errorType`."""
    cls = _ERROR_CLASSES.get(error.error_type)
    if cls is None:
        cls = _ERROR_CLASSES[error.error_type] = type(
            error.error_type, (Exception,), {"__module__": __name__}
        )
    return cls(_message(error, request_id))


def _error_item(error: ServeyError, request_id: str) -> dict[str, Any]:
    return {"data": None, "errorMessage": _message(error, request_id), "errorType": error.error_type}


def _over_limit(data: Any) -> bool:
    """Whether Lambda would refuse to return `data`: its JSON over the 6 MB response limit."""
    if data is None or isinstance(data, bool | int | float):
        return False
    return len(json.dumps(data, default=str)) > MAX_RESPONSE_BYTES


def _message(error: ServeyError, request_id: str) -> str:
    return f"{error.message} (request {request_id})"
