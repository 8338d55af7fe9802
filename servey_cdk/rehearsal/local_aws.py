"""A local AWS for the rehearsal: moto's server on a loopback port, holding the template's resources.

The stateful resources a function reaches at run time (KMS keys, DynamoDB tables, SQS
queues, S3 buckets, SNS topics, EventBridge buses, secrets and SSM parameters) are created from their template
properties, and each SNS subscription of a queue (a fan-out's) is made in moto, raw and
filtered as the template says, so that moto's SNS delivers to the queue. Every `Ref`,
`Fn::GetAtt`, `Fn::Join` and `Fn::Sub` of a function's environment resolves to what
was created. A websocket API's management endpoint resolves to `management_url`,
a local stand-in for API Gateway's `@connections` API.
"""

from __future__ import annotations

import json
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from servey_cdk.rehearsal.assembly import StackAssembly
from servey_cdk.wire import TABLE_PREFIX, environment_name

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "rehearsal",
    "AWS_SECRET_ACCESS_KEY": "rehearsal",
    "AWS_SESSION_TOKEN": "x",
}
PSEUDO_PARAMETERS = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "rehearsal",
    "AWS::NoValue": None,
}


class UnresolvableValue(ValueError):
    """A template value that names something the local AWS does not hold."""


@contextmanager
def moto_server(start_timeout_s: float = 30.0) -> Iterator[str]:
    """moto's server, in a process of its own on a free loopback port; yields its endpoint URL."""
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto's server did not start on {endpoint}") from None
                time.sleep(0.05)
        yield endpoint
    finally:
        server.terminate()
        server.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LocalAws:
    """The stack's stateful resources, created in moto.

    `values` maps each created resource's logical id to its `Ref` and attributes.
    """

    def __init__(self, stack: StackAssembly, endpoint: str, management_url: str) -> None:
        import boto3  # type: ignore[import-untyped]

        self.stack = stack
        self.endpoint = endpoint
        self.session = boto3.session.Session(region_name=REGION, **_boto_credentials())
        self.values: dict[str, dict[str, Any]] = {}
        self.management_url = management_url
        creators: dict[str, Callable[[str, dict[str, Any]], dict[str, Any]]] = {
            "AWS::KMS::Key": self._key,
            "AWS::SQS::Queue": self._queue,
            "AWS::DynamoDB::Table": self._table,
            "AWS::S3::Bucket": self._bucket,
            "AWS::ApiGatewayV2::Api": self._websocket_api,
            "AWS::SNS::Topic": self._topic,
            "AWS::Events::EventBus": self._bus,
            "AWS::SecretsManager::Secret": self._secret,
            "AWS::SSM::Parameter": self._parameter,
        }
        # Dead-letter queues first: a queue's redrive policy names its DLQ's ARN.
        ordered = sorted(
            stack.resources.items(), key=lambda item: "RedrivePolicy" in item[1].get("Properties", {})
        )
        for logical_id, resource in ordered:
            create = creators.get(resource.get("Type", ""))
            if create is not None:
                self.values[logical_id] = create(logical_id, resource.get("Properties", {}))
        for subscription in stack.of_type("AWS::SNS::Subscription").values():  # its topic and queue made
            if subscription.get("Properties", {}).get("Protocol") == "sqs":
                self._queue_subscription(subscription["Properties"])

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint)

    def resolve(self, value: Any) -> Any:
        """A template value with every intrinsic function worked out."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {key: self.resolve(item) for key, item in value.items()}
        ((function, argument),) = value.items()
        if function == "Ref":
            return self._attribute(argument, "Ref")
        if function == "Fn::GetAtt":
            logical_id, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
            return self._attribute(logical_id, attribute)
        if function == "Fn::Join":
            separator, parts = argument
            return str(separator).join(str(self.resolve(part)) for part in parts)
        if function == "Fn::Sub":
            text, names = (argument, {}) if isinstance(argument, str) else argument
            return re.sub(r"\$\{([^}]+)\}", lambda m: str(self._sub(m.group(1), names)), text)
        return {function: self.resolve(argument)}

    def seed_tables(
        self, seeds: Mapping[str, Sequence[dict[str, Any]]], environment: Mapping[str, str]
    ) -> None:
        """Put each declared table's seed items (by its name in the app) into the table the functions'
        `environment` names for it, as servey-local does where it first makes one: the examples
        read them. A table no function is told the name of is not reached, so not seeded."""
        for table, items in seeds.items():
            name = environment.get(environment_name(TABLE_PREFIX, table))
            for item in items if name else ():
                self.client("dynamodb").put_item(TableName=name, Item=item)

    def resolve_environment(self, environment: dict[str, Any]) -> dict[str, str]:
        resolved = {name: str(self.resolve(value)) for name, value in environment.items()}
        return {name: self._local_endpoint(value) for name, value in resolved.items()}

    def _sub(self, name: str, names: dict[str, Any]) -> Any:
        if name in names:
            return self.resolve(names[name])
        if "." in name:
            logical_id, attribute = name.split(".", 1)
            return self._attribute(logical_id, attribute)
        return self._attribute(name, "Ref")

    def _attribute(self, logical_id: str, attribute: str) -> Any:
        if logical_id in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[logical_id]
        found = self.values.get(logical_id, {})
        if attribute in found:
            return found[attribute]
        if logical_id in self.stack.resources:
            kind = self.stack.resources[logical_id].get("Type")
            if attribute == "Arn":  # a resource nothing runs against here: a well-formed ARN of its own
                service = str(kind).split("::")[1].lower()
                return f"arn:aws:{service}:{REGION}:{ACCOUNT_ID}:{logical_id}"
            if attribute == "Ref":
                return logical_id
        kind = self.stack.resources.get(logical_id, {}).get("Type", "missing resource")
        raise UnresolvableValue(f"{logical_id}.{attribute} (a {kind})")

    def _local_endpoint(self, value: str) -> str:
        """A websocket API's callback URL (`https://<api>.execute-api.…/<stage>`), made local."""
        for found in self.values.values():
            api_id = found.get("WebSocketApiId")
            prefix = f"https://{api_id}.execute-api."
            if api_id and value.startswith(prefix):
                stage = value.rpartition("/")[2]
                return f"{self.management_url}/{stage}"
        return value

    def _key(self, logical_id: str, properties: dict[str, Any]) -> dict[str, Any]:
        metadata = self.client("kms").create_key(
            KeySpec=properties.get("KeySpec", "SYMMETRIC_DEFAULT"),
            KeyUsage=properties.get("KeyUsage", "ENCRYPT_DECRYPT"),
            Description=str(properties.get("Description", logical_id)),
        )["KeyMetadata"]
        return {"Ref": metadata["KeyId"], "Arn": metadata["Arn"], "KeyId": metadata["KeyId"]}

    def _queue(self, logical_id: str, properties: dict[str, Any]) -> dict[str, Any]:
        attributes: dict[str, str] = {
            name: str(properties[name])
            for name in ("DelaySeconds", "VisibilityTimeout")
            if name in properties
        }
        if "RedrivePolicy" in properties:
            attributes["RedrivePolicy"] = json.dumps(self.resolve(properties["RedrivePolicy"]))
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=properties.get("QueueName", logical_id), Attributes=attributes)[
            "QueueUrl"
        ]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return {"Ref": url, "Arn": arn, "QueueUrl": url, "QueueName": arn.rpartition(":")[2]}

    def _table(self, logical_id: str, properties: dict[str, Any]) -> dict[str, Any]:
        name = properties.get("TableName", logical_id)
        arguments: dict[str, Any] = {
            "TableName": name,
            "KeySchema": properties["KeySchema"],
            "AttributeDefinitions": properties["AttributeDefinitions"],
            "BillingMode": "PAY_PER_REQUEST",
        }
        indexes = [
            {key: index[key] for key in ("IndexName", "KeySchema", "Projection")}
            for index in properties.get("GlobalSecondaryIndexes", [])
        ]
        if indexes:
            arguments["GlobalSecondaryIndexes"] = indexes
        if "StreamSpecification" in properties:
            view = properties["StreamSpecification"]["StreamViewType"]
            arguments["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view}
        description = self.client("dynamodb").create_table(**arguments)["TableDescription"]
        return {"Ref": name, "Arn": description["TableArn"], "StreamArn": description.get("LatestStreamArn")}

    def _bucket(self, logical_id: str, properties: dict[str, Any]) -> dict[str, Any]:
        name = str(properties.get("BucketName") or f"rehearsal-{logical_id.lower()}")[:63]
        self.client("s3").create_bucket(Bucket=name)
        return {"Ref": name, "Arn": f"arn:aws:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com"}

    def _topic(self, logical_id: str, properties: dict[str, Any]) -> dict[str, Any]:
        name = str(properties.get("TopicName") or logical_id)
        arn = self.client("sns").create_topic(Name=name)["TopicArn"]
        return {"Ref": arn, "TopicArn": arn, "TopicName": name}

    def _secret(self, logical_id: str, properties: dict[str, Any]) -> dict[str, Any]:
        """A secret holding a random value, as CloudFormation's `GenerateSecretString` makes one."""
        name = str(properties.get("Name") or logical_id)
        value = properties.get("SecretString") or secrets.token_urlsafe(24)
        arn = self.client("secretsmanager").create_secret(Name=name, SecretString=value)["ARN"]
        return {"Ref": arn, "Id": arn}

    def _parameter(self, logical_id: str, properties: dict[str, Any]) -> dict[str, Any]:
        name = str(properties.get("Name") or f"CFN-{logical_id}")
        self.client("ssm").put_parameter(Name=name, Value=str(properties["Value"]), Type="String")
        return {"Ref": name, "Type": "String", "Value": properties["Value"]}

    def _bus(self, logical_id: str, properties: dict[str, Any]) -> dict[str, Any]:
        name = str(properties.get("Name") or logical_id)
        arn = self.client("events").create_event_bus(Name=name)["EventBusArn"]
        return {"Ref": name, "Arn": arn, "Name": name}

    def _queue_subscription(self, properties: dict[str, Any]) -> None:
        attributes = {"RawMessageDelivery": str(bool(properties.get("RawMessageDelivery"))).lower()}
        if properties.get("FilterPolicy"):
            attributes["FilterPolicy"] = json.dumps(properties["FilterPolicy"])
        self.client("sns").subscribe(
            TopicArn=self.resolve(properties["TopicArn"]),
            Protocol="sqs",
            Endpoint=self.resolve(properties["Endpoint"]),
            Attributes=attributes,
        )

    def _websocket_api(self, logical_id: str, properties: dict[str, Any]) -> dict[str, Any]:
        api_id = re.sub(r"[^a-z0-9]", "", logical_id.lower())[:10]
        return {"Ref": api_id, "ApiId": api_id, "WebSocketApiId": api_id, "ApiEndpoint": f"wss://{api_id}"}


def _boto_credentials() -> dict[str, str]:
    return {
        "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        "aws_session_token": CREDENTIALS["AWS_SESSION_TOKEN"],
    }
