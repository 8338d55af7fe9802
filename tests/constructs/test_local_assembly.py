"""`servey-local --assembly`: the emulator serving what `cdk synth` wrote, each function in its sandbox.

GIVEN the session's synthesized sample app, served by the real CLI on a free port
WHEN a developer clicks through it (REST, GraphQL, login, websockets, queues, schedules)
THEN every answer comes from the code asset and layer in a sandbox, against moto; and the
rehearsal's small app, whose publishes to moto's SNS and EventBridge reach the sandboxes.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.constructs.conftest import Synthesized
from tests.servers import servey_local

PASSWORD = "assembly-password"
ADMIN_PASSWORD = "assembly-admin"


@dataclass(frozen=True)
class Served:
    base: str
    process: subprocess.Popen[bytes]
    banner: str


@pytest.fixture(scope="module")
def served(synthesized: Synthesized) -> Iterator[Served]:
    arguments = [
        "--assembly", str(synthesized.outdir), "--stack", "SampleApp",
        "--env", f"SAMPLE_ADMIN_PASSWORD={ADMIN_PASSWORD}",
    ]  # fmt: skip
    environment = {"SERVEY_DEBUG_AUTHENTICATOR_PASSWORD": PASSWORD}
    with servey_local(arguments, environment, subprocess.PIPE) as (base, process):
        assert process.stdout is not None
        banner = ""
        while "SPA fallback" not in banner:
            banner += process.stdout.readline().decode()
        yield Served(base, process, banner)


def login(served: Served | Logged, scope: str = "root") -> str:
    form = {"username": "dev", "password": PASSWORD, "scope": scope}
    answer = httpx.post(f"{served.base}/login", data=form, timeout=10)
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def header_of(token: str) -> dict[str, Any]:
    segment = token.split(".")[0]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return decoded


def test_GIVEN_the_served_assembly_THEN_the_banner_says_it_serves_the_assembly(
    served: Served, synthesized: Synthesized
) -> None:
    assert f"assembly {synthesized.outdir}, stack SampleApp" in served.banner


def test_GIVEN_the_served_assembly_THEN_rest_answers_the_examples_from_the_sandbox(
    served: Served, synthesized: Synthesized
) -> None:
    example = synthesized.spec.action("get_item").examples[0]
    answer = httpx.get(f"{served.base}/items/{example.params['item_id']}", timeout=30)
    assert answer.status_code == 200
    assert answer.json() == example.result


def test_GIVEN_the_served_assembly_WHEN_sent_bad_input_THEN_it_answers_the_same_422_as_aws(
    served: Served,
) -> None:
    answer = httpx.get(f"{served.base}/items/not-a-number", timeout=30)
    assert answer.status_code == 422
    assert "item_id" in answer.text


def test_GIVEN_the_served_assembly_THEN_the_debug_login_issues_kms_signed_tokens_the_functions_accept(
    served: Served,
) -> None:
    token = login(served)
    assert header_of(token)["alg"] == "RS256"  # signed by the stack's KMS key, in moto
    refused = httpx.get(f"{served.base}/actions/only-for-root", timeout=30)
    allowed = httpx.get(
        f"{served.base}/actions/only-for-root", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert refused.status_code == 401
    assert allowed.status_code == 200, allowed.text


def test_GIVEN_the_served_assembly_THEN_graphql_goes_through_the_stacks_authorizer_function(
    served: Served,
) -> None:
    query = {"query": "{ echo_authorization { subject_id } }"}
    token = login(served)
    anonymous = httpx.post(f"{served.base}/graphql", json=query, timeout=30)
    signed = httpx.post(
        f"{served.base}/graphql", json=query, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert anonymous.status_code == 401
    assert signed.json() == {"data": {"echo_authorization": {"subject_id": "dev"}}}, signed.text


def test_GIVEN_the_served_assembly_THEN_a_publish_reaches_a_live_socket_through_the_stacks_table_and_api(
    served: Served,
) -> None:
    sender = {"Authorization": f"Bearer {login(served, 'messages:send')}"}

    async def scenario() -> Any:
        async with websockets.connect(served.base.replace("http", "ws") + "/ws") as websocket:
            await websocket.send(json.dumps({"type": "subscribe", "subscription": "messager"}))
            assert json.loads(await asyncio.wait_for(websocket.recv(), 30))["type"] == "subscribed"
            async with httpx.AsyncClient(timeout=30) as client:
                sent = await client.post(
                    f"{served.base}/actions/broadcast-message",
                    json={"message": "deployed"},
                    headers=sender,
                )
                assert sent.status_code == 200, sent.text
            return json.loads(await asyncio.wait_for(websocket.recv(), timeout=30))

    assert asyncio.run(scenario()) == {"subscription": "messager", "event": "deployed"}


def test_GIVEN_the_served_assembly_THEN_queues_are_polled_as_the_event_source_mapping_polls_them(
    served: Served,
) -> None:
    import boto3

    (queue,) = httpx.get(f"{served.base}/_servey/queues", timeout=30).json()["queues"]
    assert queue["function"] == "record_message"
    endpoint = queue["url"].split("/123456789012/")[0]
    sqs = boto3.client(
        "sqs",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    sqs.send_message(QueueUrl=queue["url"], MessageBody=json.dumps("a good one"))
    sqs.send_message(QueueUrl=queue["url"], MessageBody=json.dumps({"not": "a string"}))
    deadline = time.monotonic() + 30
    while True:
        seen = httpx.get(f"{served.base}/_servey/queues", timeout=30).json()["queues"][0]
        if (seen["depth"], seen["in_flight"]) == (0, 1):
            break  # the good one was deleted; the bad one, reported in batchItemFailures, waits to come back
        assert time.monotonic() < deadline, f"the queue did not settle: {seen}"
        time.sleep(0.2)
    assert seen["dead_letter_depth"] == 0


def test_GIVEN_the_served_assembly_THEN_the_dashboard_lists_an_invocation_with_its_sandboxs_log_line(
    served: Served,
) -> None:
    answer = httpx.get(f"{served.base}/actions/number-stats", params={"value": "2000"}, timeout=30)
    assert answer.status_code == 422

    deadline = time.monotonic() + 10
    while True:  # an invocation is kept once its caller has the answer
        shown = httpx.get(f"{served.base}/_servey/state", timeout=30).json()["invocations"]
        if any(item["action"] == "number_stats" for item in shown):
            break
        assert time.monotonic() < deadline, f"the dashboard did not list the invocation: {shown}"
        time.sleep(0.1)
    (invocation,) = [item for item in shown if item["action"] == "number_stats"]
    assert (invocation["source"], invocation["params"]) == ("REST", {"value": "2000"})
    assert invocation["status"] == "422"
    (line,) = invocation["lines"]
    assert line["level"] == "WARNING"
    assert line["message"].startswith("invalid_input: invalid parameters for action 'number_stats': value:")


def test_GIVEN_the_served_assembly_THEN_a_schedule_sends_its_rules_input_to_the_sandbox(
    served: Served,
) -> None:
    answer = httpx.post(f"{served.base}/_servey/schedules/tick", timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["schedule"] == "tick"


def test_GIVEN_an_assembly_of_several_stacks_THEN_servey_local_needs_a_stack_named(
    synthesized: Synthesized,
) -> None:
    command = [sys.executable, "-c", "from local_runtime.cli import main; main()", "--assembly"]
    result = subprocess.run([*command, str(synthesized.outdir)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "several stacks; choose one with --stack" in result.stderr
    assert "SampleApp" in result.stderr
    assert "UserStack" in result.stderr


def test_GIVEN_servey_local_on_an_assembly_WHEN_stopped_THEN_motos_server_and_the_sandboxes_stop_too(
    synthesized: Synthesized,
) -> None:
    arguments = ["--assembly", str(synthesized.outdir), "--stack", "SampleApp"]
    with servey_local(arguments) as (base, process):
        httpx.get(f"{base}/items/42", timeout=30)  # a sandbox is started
        children = _children(process.pid)
        assert any("moto.server" in command for command in children.values())
        assert any("bootstrap.py" in command for command in children.values())
    deadline = time.monotonic() + 10
    while _children_alive(children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _children_alive(children) == []


def _children(parent: int) -> dict[int, str]:
    found = {}
    for status in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = status.read_text().rpartition(")")[2].split()
            if int(fields[1]) == parent:
                pid = int(status.parent.name)
                found[pid] = (status.parent / "cmdline").read_text().replace("\0", " ")
    return found


def _children_alive(children: dict[int, str]) -> list[int]:
    alive = []
    for pid in children:
        with contextlib.suppress(OSError):
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
            if state != "Z":
                alive.append(pid)
    return alive


@dataclass
class Logged:
    """A served assembly whose output (its functions' logs among it) is read as it comes."""

    base: str
    lines: list[str]

    def wait_for(self, text: str, timeout_s: float = 30) -> list[str]:
        deadline = time.monotonic() + timeout_s
        while not (found := [line for line in self.lines if text in line]):
            assert time.monotonic() < deadline, f"no {text!r} in the output:\n{''.join(self.lines)[-3000:]}"
            time.sleep(0.1)
        return found


@pytest.fixture(scope="module")
def rehearsed_served(rehearsed_app: Path) -> Iterator[Logged]:
    environment = {"SERVEY_DEBUG_AUTHENTICATOR_PASSWORD": PASSWORD}
    with servey_local(["--assembly", str(rehearsed_app)], environment, subprocess.PIPE) as (base, process):
        stdout = process.stdout
        assert stdout is not None
        lines: list[str] = []
        threading.Thread(target=lambda: lines.extend(line.decode() for line in stdout), daemon=True).start()
        yield Logged(base, lines)


def moto_client(served: Logged, service: str) -> Any:
    import boto3

    (queue, *_) = httpx.get(f"{served.base}/_servey/queues", timeout=30).json()["queues"]
    endpoint = queue["url"].split("/123456789012/")[0]
    credentials = {"aws_access_key_id": "x", "aws_secret_access_key": "x"}
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", **credentials)


def test_GIVEN_a_served_publisher_WHEN_it_fans_out_and_puts_an_event_THEN_moto_delivers_both_to_the_sandboxes(
    rehearsed_served: Logged,
) -> None:
    token = login(rehearsed_served, "orders:write")
    placed = httpx.post(
        f"{rehearsed_served.base}/actions/place-order",
        json={"order_id": 41},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert placed.status_code == 200, placed.text
    rehearsed_served.wait_for("[bill] billed order 41")  # moto's SNS → the queue → its event source mapping
    rehearsed_served.wait_for("[on_order_placed] heard order 41 placed")  # moto's bus → the rule's target


def test_GIVEN_a_served_topic_WHEN_published_to_in_moto_THEN_the_subscriber_gets_what_its_filter_passes(
    rehearsed_served: Logged,
) -> None:
    sns = moto_client(rehearsed_served, "sns")
    (topic,) = [t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith("-alerts")]
    for level in ("low", "high"):
        attributes = {"level": {"DataType": "String", "StringValue": level}}
        sns.publish(TopicArn=topic, Message=f"{level} water", MessageAttributes=attributes)
    rehearsed_served.wait_for("[on_alert] alerted: high water")
    assert not any("alerted: low water" in line for line in rehearsed_served.lines)


def test_GIVEN_the_served_assembly_WHEN_a_topic_and_a_bus_are_posted_to_THEN_the_sandboxes_get_them(
    rehearsed_served: Logged,
) -> None:
    base = rehearsed_served.base
    published = httpx.post(
        f"{base}/_servey/topics/alerts",
        json={"message": "by hand", "attributes": {"level": "high"}},
        timeout=30,
    )
    entry = {
        "source": "shop.orders",
        "detail-type": "Order Placed",
        "detail": {"order_id": 43},
        "bus": "shop",
    }
    put = httpx.post(f"{base}/_servey/events", json=entry, timeout=30)
    assert (published.status_code, put.status_code) == (200, 200), published.text + put.text
    rehearsed_served.wait_for("[on_alert] alerted: by hand")
    rehearsed_served.wait_for("[on_order_placed] heard order 43 placed")
