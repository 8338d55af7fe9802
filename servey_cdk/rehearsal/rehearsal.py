"""The rehearsal: each function of a synthesized stack, run from its assets, sent what its wiring sends.

The cases, in order: a token from the app's token action (KMS-signed, as on AWS);
websocket connections that subscribe to each subscription; every example through
its REST route (or HTTP API route, in payload 2.0) or GraphQL field (token-protected
ones with the token, or, for an example naming its caller's scopes, with a token of just
those scopes signed by the stack's key; a result's matchers hold for any value they
match), one event of every other wiring (each rule's and schedule's own input, an event
each rule's pattern matches, a notification each topic subscription's filter policy
passes, an S3 object event, the authorizer, a path no route takes to an HTTP API's
`$default` route, which must answer 404, a direct invoke per function); then each queue's messages, as
its event source mapping would deliver what the publishers sent (a fan-out's through
moto's SNS, raw and filtered); then whether the subscribers heard the publishes; then
the disconnects.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from servey_cdk.event_patterns import matches
from servey_cdk.graphql_names import camel_case
from servey_cdk.http_api import DEFAULT_ROUTE
from servey_cdk.rehearsal import checks, events
from servey_cdk.rehearsal.assembly import StackAssembly, TemplateFunction, unpacked
from servey_cdk.rehearsal.checks import Check
from servey_cdk.rehearsal.local_aws import LocalAws, UnresolvableValue, moto_server
from servey_cdk.rehearsal.management_api import ManagementApi, RecordedConnections
from servey_cdk.rehearsal.matching import NoLiteral, matching_values
from servey_cdk.rehearsal.sandbox import Answer, Sandbox, Timeout
from servey_cdk.rehearsal.tokens import stack_token_signer
from servey_cdk.rehearsal.wiring import Wire, wires_of
from servey_cdk.triggers.sns import MESSAGE_PARAMS
from servey_cdk.wire import HANDLER, SPEC_FILE

UNROUTED_PATH = "/servey-rehearsal/no-such-route"  # what an HTTP API's `$default` route is sent
# An API's event of a request with these parameters, path parameters and headers.
EventOf = Callable[[dict[str, Any], tuple[str, ...], dict[str, str]], dict[str, Any]]
EXAMPLE_CALLER = "servey-rehearsal-caller"  # the subject of a token of an example's own scopes


@dataclass(frozen=True)
class Outcome:
    function: str
    kind: str
    case: str
    problem: str | None  # None: passed

    def line(self) -> str:
        status = "pass" if self.problem is None else "FAIL"
        reason = "" if self.problem is None else f": {self.problem}"
        return f"{status}  {self.function:<22} {self.kind:<10} {self.case}{reason}"


@dataclass
class Report:
    stack: str
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(outcome.problem is None for outcome in self.outcomes)

    def text(self) -> str:
        failed = sum(outcome.problem is not None for outcome in self.outcomes)
        lines = [f"rehearsal of stack {self.stack}", *(f"note: {note}" for note in self.notes)]
        lines += [outcome.line() for outcome in self.outcomes]
        lines.append(f"{len(self.outcomes) - failed} cases passed, {failed} failed")
        return "\n".join(lines)


@dataclass(frozen=True)
class Login:
    """Credentials for the app's token action."""

    username: str
    password: str


def rehearse(
    stack: StackAssembly,
    cache: Path,
    environment: dict[str, str] | None = None,
    login: Login | None = None,
) -> Report:
    with ExitStack() as resources, tempfile.TemporaryDirectory(prefix="servey-rehearsal-") as work:
        endpoint = resources.enter_context(moto_server())
        connections = RecordedConnections()
        management = ManagementApi(connections)
        resources.callback(management.close)
        local_aws = LocalAws(stack, endpoint, management.url)
        run = Run(stack, local_aws, connections, Path(work), cache, environment or {}, login)
        resources.callback(run.stop)
        run.all()
        return run.report


class Run:
    def __init__(
        self,
        stack: StackAssembly,
        local_aws: LocalAws,
        connections: RecordedConnections,
        work: Path,
        cache: Path,
        environment: dict[str, str],
        login: Login | None,
    ) -> None:
        self.stack = stack
        self.aws = local_aws
        self.websockets = connections
        self.report = Report(stack.name)
        self.login = login
        self.functions = {function.logical_id: function for function in stack.functions()}
        self.servey = {key: value for key, value in self.functions.items() if value.handler == HANDLER}
        self.sandboxes: dict[str, Sandbox] = {}
        self.problems: dict[str, str] = {}  # functions whose sandbox could not be laid out
        names: dict[str, str] = {}  # each variable of the functions' environments, resolved
        for function in self.servey.values():
            try:
                resolved = local_aws.resolve_environment(function.environment)
                names |= resolved
                self.sandboxes[function.logical_id] = Sandbox.lay_out(
                    function, {**resolved, **environment, "AWS_ENDPOINT_URL": local_aws.endpoint}, work, cache
                )
            except (UnresolvableValue, ValueError, RuntimeError) as error:
                self.problems[function.logical_id] = f"cannot lay out the sandbox: {error}"
        code = next((f.code for f in self.servey.values() if f.code is not None), None)
        spec_file = unpacked(code, work) / SPEC_FILE if code is not None else None
        self.spec: dict[str, Any] = (
            json.loads(spec_file.read_text(encoding="utf-8")) if spec_file and spec_file.is_file() else {}
        )
        self.actions = {action["name"]: action for action in self.spec.get("actions", [])}
        local_aws.seed_tables({t["name"]: t.get("seed", []) for t in self.spec.get("tables", [])}, names)
        graphql = self.spec.get("graphql") or {}
        self.fields = {(r["type_name"], r["field_name"]): r["action"] for r in graphql.get("resolvers", [])}
        self.camel_case = graphql.get("field_names") == "camelCase"
        self.wires = wires_of(stack)
        self.token: str | None = None
        self.scoped_tokens: dict[tuple[str, ...], str | None] = {}  # an example's scopes → its token
        self.resolver_contexts: dict[str, dict[str, str] | None] = {}  # a token → what the authorizer says
        self.connections: dict[str, str] = {}  # subscription → connection id
        self.notes = sorted({note for sandbox in self.sandboxes.values() for note in sandbox.notes})
        self.report.notes += self.notes
        if not self.spec:
            self.report.notes.append(f"no {SPEC_FILE} in the code asset: examples are not rehearsed")

    def stop(self) -> None:
        for sandbox in self.sandboxes.values():
            sandbox.stop()

    def all(self) -> None:
        for logical_id, function in self.functions.items():
            if logical_id not in self.servey:
                self._record(function, "-", "skipped: a function of the CDK's own (custom resource)", None)
            elif logical_id in self.problems:
                self._record(function, "sandbox", "lay out", self.problems[logical_id])
        self._issue_token()
        self._connect_websockets()
        for wire in self.wires:
            if wire.function in self.sandboxes:
                for case, event, check in self._cases(wire):
                    self._send(wire, case, event, check)
        self._direct_invokes()
        self._deliver_queues()
        self._deliver_streams()
        self._check_publishes()
        self._disconnect_websockets()

    # -- sending and recording

    def _send(self, wire: Wire, case: str, event: Any, check: Check) -> Answer | None:
        function = self.functions[wire.function]
        try:
            answer = self.sandboxes[wire.function].invoke(event)
        except Timeout as error:
            self._record(function, wire.kind, case, str(error))
            return None
        problem = checks.crash(answer) or check(answer)
        self._record(function, wire.kind, case, problem)
        return answer

    def _record(self, function: TemplateFunction, kind: str, case: str, problem: str | None) -> None:
        name = function.name or function.logical_id
        self.report.outcomes.append(Outcome(name, kind, case, problem))

    def _wire(self, kind: str, **detail: Any) -> Iterator[Wire]:
        for wire in self.wires:
            if wire.kind == kind and all(wire.detail.get(key) == value for key, value in detail.items()):
                yield wire

    # -- the cases

    def _cases(self, wire: Wire) -> Iterator[tuple[str, Any, Check]]:
        if wire.kind == "rest":
            method, path = wire.detail["method"], wire.detail["path"]
            yield from self._route_cases(method, path, partial(_rest_event, method, path))
        elif wire.kind == "http" and wire.detail["route_key"] == DEFAULT_ROUTE:
            event = events.http_event(DEFAULT_ROUTE, {}, (), {}, raw_path=UNROUTED_PATH)
            yield f"{DEFAULT_ROUTE} GET {UNROUTED_PATH}", event, checks.status(404)
        elif wire.kind == "http":
            route_key = wire.detail["route_key"]
            method, _, path = route_key.partition(" ")
            yield from self._route_cases(method, path, partial(events.http_event, route_key))
        elif wire.kind == "appsync":
            yield from self._appsync_cases(wire)
        elif wire.kind == "authorizer":
            yield "anonymous", events.authorizer_event("anonymous"), checks.authorized
            if self.token:
                yield "KMS-signed token", events.authorizer_event(f"Bearer {self.token}"), checks.authorized
        elif wire.kind in ("rule", "schedule"):
            yield f"input {json.dumps(wire.detail['input'])}", wire.detail["input"], checks.no_check
        elif wire.kind == "event":
            yield from self._event_cases(wire)
        elif wire.kind == "topic":
            yield from self._topic_cases(wire)
        elif wire.kind == "s3":
            key = f"{wire.detail['prefix']}rehearsal{wire.detail['suffix']}"
            for name in wire.detail["events"]:
                event_name = name.removeprefix("s3:").replace("*", "Put" if "Created" in name else "Delete")
                bucket = str(self.aws.resolve(wire.detail["bucket"]))
                self._object_as_notified(bucket, key, created="Created" in name)
                yield f"{event_name} {key}", events.s3_event(bucket, key, event_name), checks.no_check

    def _object_as_notified(self, bucket: str, key: str, created: bool) -> None:
        """Put the object (empty, as the event's size says) the event tells of, or remove it, so that
        a function that reads it finds what S3 would hold; an adopted bucket is made to stand for
        the existing one."""
        s3 = self.aws.client("s3")
        if bucket not in {found["Name"] for found in s3.list_buckets()["Buckets"]}:
            s3.create_bucket(Bucket=bucket)
        if created:
            s3.put_object(Bucket=bucket, Key=key, Body=b"")
        else:
            s3.delete_object(Bucket=bucket, Key=key)

    def _event_cases(self, wire: Wire) -> Iterator[tuple[str, Any, Check]]:
        bus, pattern = wire.detail["bus"], wire.detail["pattern"]
        where = "the default bus" if bus is None else f"bus {self.aws.resolve(bus)}"
        function = self.functions[wire.function]
        try:
            event = events.eventbridge_event(matching_values(pattern))
        except NoLiteral as error:
            self._record(function, wire.kind, f"skipped: no event for its pattern: {error}", None)
            return
        if not matches(pattern, event):  # a literal that another condition of its field refuses
            self._record(function, wire.kind, f"skipped: no event matches {json.dumps(pattern)[:200]}", None)
            return
        yield f"{event['detail-type']} from {event['source']} on {where}", event, checks.accepted

    def _topic_cases(self, wire: Wire) -> Iterator[tuple[str, Any, Check]]:
        topic_arn = str(self.aws.resolve(wire.detail["topic"]))
        function = self.functions[wire.function]
        try:
            attributes = matching_values(wire.detail["filter_policy"] or {})
        except NoLiteral as error:
            self._record(function, wire.kind, f"skipped: no attributes for its filter policy: {error}", None)
            return
        event = events.sns_event(topic_arn, json.dumps(self._message_for(function)), attributes)
        yield f"notification on {topic_arn.rpartition(':')[2]}", event, checks.accepted

    def _message_for(self, function: TemplateFunction) -> Any:
        """The message of the first example of the function's SnsTrigger actions; else an empty object."""
        for trigger in self.spec.get("sns_triggers", []):
            if trigger["function"] == function.name:
                for example in self.actions[trigger["action"]]["examples"]:
                    values = [v for k, v in example["params"].items() if k not in MESSAGE_PARAMS]
                    if values:
                        return values[0]
        return {}

    def _token_for(self, example: dict[str, Any] | None) -> str | None:
        """The token an example is called with: one of its own scopes, signed by the stack's key, or the
        issued one."""
        scopes = example.get("scopes") if example else None
        if scopes is None:
            return self.token
        key = tuple(scopes)
        if key not in self.scoped_tokens:
            environments = (sandbox.environment for sandbox in self.sandboxes.values())
            signer = stack_token_signer(self.aws, environments)
            self.scoped_tokens[key] = signer.issue(EXAMPLE_CALLER, key) if signer else None
        return self.scoped_tokens[key]

    def _route_cases(self, method: str, path: str, event_of: EventOf) -> Iterator[tuple[str, Any, Check]]:
        """A REST method's or an HTTP API route's cases: each example of its action, and without a token
        when the action needs one; `event_of(params, path_params, headers)` makes the API's event."""
        route = next(
            (r for r in self.spec.get("routes", []) if (r["method"], r["path"]) == (method, path)), None
        )
        where = f"{method} {path}"
        if route is None:
            yield where, event_of({}, (), {}), checks.answered
            return
        action = self.actions[route["action"]]
        path_params = tuple(route["path_params"])
        if action["requires_token"] and not self.token:
            yield f"{where} without a token", event_of({}, (), {}), checks.status(401)
        for example in action["examples"] or [None]:
            params = example["params"] if example else {}
            token = self._token_for(example)
            headers = {"Authorization": f"Bearer {token}"} if token and action["requires_token"] else {}
            event = event_of(params, path_params, headers)
            if example is None:
                yield where, event, checks.answered
            elif route["kind"] == "page" or not example["include_in_tests"]:
                yield f"{where} example {example['name']}", event, checks.status(200)
            else:
                yield f"{where} example {example['name']}", event, checks.rest_result(example["result"])

    def _appsync_cases(self, wire: Wire) -> Iterator[tuple[str, Any, Check]]:
        type_name, field_name = wire.detail["type_name"], wire.detail["field_name"]
        action = self.actions.get(self.fields.get((type_name, field_name), field_name))
        where = f"{type_name}.{field_name}"
        examples = (action["examples"] if action and type_name in ("Query", "Mutation") else []) or [None]
        # camelCase fields: the arguments by their GraphQL names (the values within, by Python's, are
        # kept as they are), and results compared with every key in camelCase on both sides.
        keys = checks.camel_case_keys if self.camel_case else None
        for example in examples:
            token = self._token_for(example) if action and action["requires_token"] else None
            context = self._resolver_context(token) if token else None
            params = example["params"] if example else {}
            if self.camel_case:
                params = {camel_case(name): value for name, value in params.items()}
            event = events.appsync_event(type_name, field_name, params, context)
            if example is None:
                yield where, event, checks.handled
            elif not example["include_in_tests"]:
                yield f"{where} example {example['name']}", event, checks.no_check
            else:
                yield f"{where} example {example['name']}", event, checks.equal(example["result"], keys)

    def _resolver_context(self, token: str) -> dict[str, str] | None:
        """What the authorizer approves for the token: its claims, as AppSync passes them on (asked once)."""
        if token not in self.resolver_contexts:
            self.resolver_contexts[token] = self._authorized_context(token)
        return self.resolver_contexts[token]

    def _authorized_context(self, token: str) -> dict[str, str] | None:
        authorizers = list(self._wire("authorizer"))
        if not authorizers or authorizers[0].function not in self.sandboxes:
            return None
        answer = self.sandboxes[authorizers[0].function].invoke(events.authorizer_event(f"Bearer {token}"))
        context: dict[str, str] | None = (answer.result or {}).get("resolverContext")
        return context

    def _issue_token(self) -> None:
        issuers = [action for action in self.actions.values() if action.get("issues_tokens")]
        protected = [action["name"] for action in self.actions.values() if action["requires_token"]]
        if not issuers:
            return
        action = issuers[0]
        wire = self._function_wire(action["function"])
        if wire is None:
            return
        function = self.functions[wire.function]
        if self.login is None:
            self._record(function, "token", "issue (skipped: give --login USER:PASSWORD)", None)
            return
        scopes = " ".join(self.spec.get("auth", {}).get("scopes", []))
        params = {"username": self.login.username, "password": self.login.password, "scope": scopes}
        issue = _invoke(action["name"], params)
        answer = self._send(wire, f"issue through {action['name']}", issue, checks.issued)
        if answer is not None and isinstance(answer.result, dict):
            self.token = answer.result.get("access_token")
        if self.token:
            for name in protected:
                target = self._function_wire(self.actions[name]["function"])
                if target is not None:
                    event = {**_invoke(name, {}), "token": self.token}
                    self._send(target, f"{name} with the token", event, checks.not_refused)

    def _function_wire(self, function_name: str) -> Wire | None:
        """A direct-invoke wire to the function serving FunctionSpec `function_name`."""
        for logical_id, function in self.servey.items():
            if function.name == function_name and logical_id in self.sandboxes:
                return Wire("invoke", logical_id)
        return None

    def _direct_invokes(self) -> None:
        for item in self.spec.get("functions", []):
            wire = self._function_wire(item["name"])
            if wire is None or not item["actions"]:  # the authorizer's and websocket function's are their own
                continue
            action = self.actions[item["actions"][0]]
            example = (action["examples"] or [{"params": {}}])[0]
            self._send(
                wire, f"{action['name']}", _invoke(action["name"], example["params"]), checks.answered_invoke
            )

    def _connect_websockets(self) -> None:
        wires = {wire.detail["route_key"]: wire for wire in self._wire("websocket")}
        if "$connect" not in wires:
            return
        query = {"token": self.token} if self.token else None
        for item in self.spec.get("subscriptions", []):
            if not item["is_subscribable"] or (item["requires_token"] and not self.token):
                continue
            connection = events.connection_id()
            connected = self._send(
                wires["$connect"],
                f"$connect for {item['name']}",
                events.websocket_event("$connect", connection, query),
                checks.status(200),
            )
            frame = json.dumps({"type": "subscribe", "subscription": item["name"]})
            default = wires.get("$default")
            if connected is None or default is None:
                continue
            self.websockets.open.add(connection)
            self.connections[item["name"]] = connection
            event = events.websocket_event("$default", connection, body=frame)
            self._send(default, f"subscribe to {item['name']}", event, checks.status(200))

    def _deliver_queues(self) -> None:
        sqs = self.aws.client("sqs")
        for wire in self._wire("queue"):
            queue = self.aws.values[wire.detail["queue"]]
            received = sqs.receive_message(
                QueueUrl=queue["QueueUrl"],
                MaxNumberOfMessages=min(10, wire.detail["batch_size"]),
                WaitTimeSeconds=0,
            ).get("Messages", [])
            name = queue["QueueName"]
            if not received:
                function = self.functions[wire.function]
                self._record(
                    function, "queue", name, "no message reached the queue: no publisher's example sent one"
                )
                continue
            event = events.sqs_event(queue["Arn"], received)
            what = f"{len(received)} message(s) from {name}"
            answer = self._send(wire, what, event, checks.no_batch_failures)
            if answer is not None and not answer.error:
                for message in received:
                    sqs.delete_message(QueueUrl=queue["QueueUrl"], ReceiptHandle=message["ReceiptHandle"])

    def _deliver_streams(self) -> None:
        """An item put into each stream-triggered table, and what its stream then gained sent to the
        function, as the event source mapping reads it (the seed items and the examples' writes
        before it are not sent again)."""
        dynamodb, streams = self.aws.client("dynamodb"), self.aws.client("dynamodbstreams")
        for wire in self._wire("stream"):
            table = self.aws.values[wire.detail["table"]]
            properties = self.stack.resources[wire.detail["table"]].get("Properties", {})
            iterators = stream_ends(streams, table["StreamArn"])
            dynamodb.put_item(TableName=table["Ref"], Item=rehearsal_item(properties))
            records = stream_records(streams, iterators, wire.detail["batch_size"])
            event = events.dynamodb_stream_event(table["StreamArn"], records)
            what = f"{len(records)} record(s) from the stream of {table['Ref']}"
            self._send(wire, what, event, checks.no_batch_failures)

    def _check_publishes(self) -> None:
        heard = {connection for connection, _ in self.websockets.posts}
        for subscription, connection in self.connections.items():
            item = next(item for item in self.spec["subscriptions"] if item["name"] == subscription)
            publishers = item["publishers"]
            if not publishers:
                continue
            wire = self._function_wire(publishers[0])
            if wire is None:
                continue
            problem = None if connection in heard else "the subscriber heard no publish"
            self._record(self.functions[wire.function], "publish", f"to {subscription} subscribers", problem)

    def _disconnect_websockets(self) -> None:
        for wire in self._wire("websocket", route_key="$disconnect"):
            for subscription, connection in self.connections.items():
                event = events.websocket_event("$disconnect", connection)
                self._send(wire, f"$disconnect from {subscription}", event, checks.status(200))


def rehearsal_item(table_properties: dict[str, Any]) -> dict[str, Any]:
    """An item of a template's table: its key attributes only, each a placeholder of its type."""
    types = {d["AttributeName"]: d["AttributeType"] for d in table_properties["AttributeDefinitions"]}
    placeholders = {"S": {"S": "rehearsal"}, "N": {"N": "1"}, "B": {"B": b"rehearsal"}}
    return {
        key["AttributeName"]: placeholders[types[key["AttributeName"]]]
        for key in table_properties["KeySchema"]
    }


def stream_ends(streams: Any, stream_arn: str) -> list[str]:
    """An iterator at the end of each of the stream's shards: what is written after it, it reads."""
    return [
        streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
        )["ShardIterator"]
        for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
    ]


def stream_records(streams: Any, iterators: list[str], limit: int) -> list[dict[str, Any]]:
    """Up to `limit` records from the iterators, shard by shard, as GetRecords gives them."""
    records: list[dict[str, Any]] = []
    for iterator in iterators:
        records += streams.get_records(ShardIterator=iterator, Limit=limit)["Records"]
    return records[:limit]


def _rest_event(
    method: str, path: str, params: dict[str, Any], path_params: tuple[str, ...], headers: dict[str, str]
) -> dict[str, Any]:
    return events.rest_event(method, path, params, path_params, headers)


def _invoke(action: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"action": action, "params": params}
