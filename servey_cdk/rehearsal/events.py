"""The events AWS sends a function, shaped as the recorded payloads under tests/events are."""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from servey_cdk.http_api import PAYLOAD_VERSION, STAGE
from servey_cdk.rehearsal.local_aws import ACCOUNT_ID, REGION
from servey_cdk.triggers.sns import typed_attribute


def connection_id() -> str:
    """An id in API Gateway's form, 16 base64 characters ending in `=`, which URLs must encode."""
    return base64.b64encode(secrets.token_bytes(11)).decode("ascii")[:15] + "="


def rest_event(
    method: str,
    resource: str,
    params: dict[str, Any],
    path_params: tuple[str, ...],
    headers: dict[str, str],
) -> dict[str, Any]:
    """API Gateway's REST proxy event: path parameters from `params`, the rest as query or JSON body."""
    path, path_values, query, body = _request_parts(method, resource, params, path_params)
    if body is not None:
        headers = {"Content-Type": "application/json", **headers}
    request_id = str(uuid.uuid4())
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": {name: values[-1] for name, values in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": path_values or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/api{path}",
            "accountId": ACCOUNT_ID,
            "stage": "api",
            "requestId": request_id,
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "servey-rehearse"},
            "apiId": "rehearsal",
        },
        "body": body,
        "isBase64Encoded": False,
    }


def _request_parts(
    method: str, resource: str, params: dict[str, Any], path_params: tuple[str, ...]
) -> tuple[str, dict[str, str], dict[str, list[str]], str | None]:
    """The path, its parameters, the query's values and the JSON body that carry `params`. A greedy
    `{name+}` keeps its value's slashes."""
    path_values = {name: str(params[name]) for name in path_params if name in params}
    rest = {name: value for name, value in params.items() if name not in path_values}
    path = resource
    for name, value in path_values.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
        path = path.replace("{" + name + "+}", quote(value, safe="/"))
    query: dict[str, list[str]] = {}
    body = None
    if method in ("GET", "DELETE", "HEAD"):
        for name, value in rest.items():
            values = value if isinstance(value, list) else [value]
            query[name] = [v if isinstance(v, str) else json.dumps(v) for v in values]
    else:
        body = json.dumps(rest)
    return path, path_values, query, body


def http_event(
    route_key: str,
    params: dict[str, Any],
    path_params: tuple[str, ...],
    headers: dict[str, str],
    raw_path: str | None = None,
) -> dict[str, Any]:
    """An HTTP API's payload 2.0 event of `route_key` (`GET /items/{item_id}`, or `$default` for
    `raw_path`): path parameters from `params`, the rest as query or JSON body, header names lowercase."""
    method, _, resource = route_key.partition(" ")
    if not resource:  # `$default`: the request is for a path no route takes
        method, resource = "GET", raw_path or "/"
    path, path_values, query, body = _request_parts(method, resource, params, path_params)
    headers = {name.lower(): value for name, value in headers.items()}
    if body is not None:
        headers["content-type"] = "application/json"
    pairs = [(name, value) for name, values in query.items() for value in values]
    event: dict[str, Any] = {
        "version": PAYLOAD_VERSION,
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": urlencode(pairs),
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": "rehearsal",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "servey-rehearse",
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": STAGE,
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = {name: ",".join(values) for name, values in query.items()}
    if path_values:
        event["pathParameters"] = path_values
    if body is not None:
        event["body"] = body
    return event


def appsync_event(
    type_name: str, field_name: str, arguments: dict[str, Any], resolver_context: dict[str, str] | None
) -> dict[str, Any]:
    """A direct Lambda resolver's event for one field."""
    return {
        "arguments": arguments,
        "identity": None if resolver_context is None else {"resolverContext": resolver_context},
        "source": None,
        "request": {"headers": {}, "domainName": None},
        "prev": None,
        "info": {
            "selectionSetList": [],
            "selectionSetGraphQL": "",
            "parentTypeName": type_name,
            "fieldName": field_name,
            "variables": {},
        },
        "stash": {},
    }


def authorizer_event(authorization: str) -> dict[str, Any]:
    return {
        "authorizationToken": authorization,
        "requestContext": {
            "apiId": "rehearsal",
            "accountId": ACCOUNT_ID,
            "requestId": str(uuid.uuid4()),
            "queryString": "query { __typename }",
            "operationName": None,
            "variables": {},
        },
        "requestHeaders": {"authorization": authorization},
    }


def sqs_event(queue_arn: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The event an SQS event source mapping sends for messages received from the queue."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for message in messages
        ]
    }


def dynamodb_stream_event(stream_arn: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """The event a DynamoDB stream's event source mapping sends for records read from the stream:
    GetRecords' records, each with the stream's ARN and its time in epoch seconds (boto3 parses it)."""
    return {"Records": [_stream_record(record, stream_arn) for record in records]}


def _stream_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        change["ApproximateCreationDateTime"] = int(created.timestamp())
    return {**record, "dynamodb": change, "eventSourceARN": stream_arn}


def sns_event(topic_arn: str, message: str, attributes: dict[str, Any]) -> dict[str, Any]:
    """The event SNS sends a subscribed function: one notification, its attributes typed as SNS types them."""
    message_id = str(uuid.uuid4())
    subscription = f"{topic_arn}:{uuid.uuid4()}"
    typed = {}
    for name, value in attributes.items():
        data_type, text = typed_attribute(value)
        typed[name] = {"Type": data_type, "Value": text}
    notification = {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": topic_arn,
        "Subject": None,
        "Message": message,
        "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        "SignatureVersion": "1",
        "Signature": "cmVoZWFyc2Fs",
        "SigningCertUrl": f"https://sns.{REGION}.amazonaws.com/SimpleNotificationService-rehearsal.pem",
        "UnsubscribeUrl": f"https://sns.{REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription}",
        "MessageAttributes": typed,
    }
    record = {"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": subscription}
    return {"Records": [{**record, "Sns": notification}]}


def eventbridge_event(fields: dict[str, Any]) -> dict[str, Any]:
    """The envelope EventBridge sends a rule's target, with `fields` (a pattern's values) in place."""
    envelope = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Rehearsal",
        "source": "servey.rehearsal",
        "account": ACCOUNT_ID,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": REGION,
        "resources": [],
        "detail": {},
    }
    return {**envelope, **fields}


def websocket_event(
    route_key: str, connection_id: str, query: dict[str, str] | None = None, body: str | None = None
) -> dict[str, Any]:
    event_type = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route_key, "MESSAGE")
    event: dict[str, Any] = {
        "requestContext": {
            "routeKey": route_key,
            "eventType": event_type,
            "connectionId": connection_id,
            "requestId": str(uuid.uuid4()),
            "stage": "live",
            "apiId": "rehearsal",
            "connectedAt": int(time.time() * 1000),
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "isBase64Encoded": False,
    }
    if route_key == "$connect":
        event["headers"] = {"Host": "rehearsal"}
        event["queryStringParameters"] = query
    if body is not None:
        event["body"] = body
    return event


def s3_event(bucket: str, key: str, event_name: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": REGION,
                "eventTime": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                "eventName": event_name,
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {"key": quote(key), "size": 0, "eTag": "d41d8cd98f00b204e9800998ecf8427e"},
                },
            }
        ]
    }
