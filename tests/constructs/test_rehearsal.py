"""The rehearsal: the synthesized assets, run alone, against moto's server on loopback.

GIVEN the session's synthesized assembly (the sample app's stack and a user's own stack)
WHEN `servey rehearse` runs it THEN every function answers every event its wiring sends.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from servey_cdk.packages import LAYER_MANIFEST, default_cache_dir
from servey_cdk.rehearsal import Login, Report, rehearse
from servey_cdk.rehearsal.assembly import StackAssembly, read_assembly
from servey_cdk.rehearsal.local_aws import LocalAws, moto_server
from servey_cdk.rehearsal.management_api import ManagementApi, RecordedConnections
from servey_cdk.rehearsal.rehearsal import Run
from servey_cdk.rehearsal.sandbox import HOST_ARCHITECTURE
from tests.constructs.conftest import Synthesized

# The template targets python3.14/arm64; on another machine its layers are rebuilt from their lists.
rebuilds_layers = pytest.mark.skipif(
    (sys.version_info[:2], HOST_ARCHITECTURE) == ((3, 14), "arm64"),
    reason="this machine is the template's platform: the layer runs as built",
)

ADMIN = {"SAMPLE_ADMIN_PASSWORD": "rehearsal-password"}
LOGIN = Login("admin", "rehearsal-password")
EVENT_KINDS = {"rest", "appsync", "authorizer", "rule", "schedule", "queue", "websocket", "s3", "invoke"}


def stack_of(outdir: Path, name: str) -> StackAssembly:
    return next(stack for stack in read_assembly(outdir) if stack.name == name)


@pytest.fixture(scope="module")
def sample_report(synthesized: Synthesized) -> Report:
    return rehearse(stack_of(synthesized.outdir, "SampleApp"), default_cache_dir(), ADMIN, LOGIN)


def test_GIVEN_the_sample_rehearsal_THEN_every_case_passes(sample_report: Report) -> None:
    assert sample_report.passed, sample_report.text()


def test_GIVEN_the_sample_rehearsal_THEN_the_assets_are_left_as_synthesized(
    sample_report: Report, synthesized: Synthesized
) -> None:
    written = list(synthesized.outdir.glob("asset.*/**/__pycache__"))
    assert sample_report.outcomes
    assert written == []


def test_GIVEN_the_sample_rehearsal_THEN_every_function_and_event_kind_is_rehearsed(
    sample_report: Report, synthesized: Synthesized
) -> None:
    functions = {item.name for item in synthesized.spec.functions} | {"graphql-authorizer", "websocket"}
    assert functions <= {outcome.function for outcome in sample_report.outcomes}
    assert {outcome.kind for outcome in sample_report.outcomes} >= EVENT_KINDS


def test_GIVEN_the_sample_rehearsal_THEN_a_kms_signed_token_from_its_token_action_opens_protected_actions(
    sample_report: Report,
) -> None:
    cases = {(outcome.function, outcome.case) for outcome in sample_report.outcomes}
    assert ("issue_account_token", "issue through issue_account_token") in cases
    assert ("only_for_root", "only_for_root with the token") in cases
    assert ("graphql-authorizer", "KMS-signed token") in cases


def test_GIVEN_the_sample_rehearsal_THEN_a_publish_reaches_the_linked_queue_and_the_websocket_subscriber(
    sample_report: Report,
) -> None:
    by_kind = {
        outcome.kind: outcome for outcome in sample_report.outcomes if outcome.kind in ("queue", "publish")
    }
    assert by_kind["queue"].function == "record_message"
    assert by_kind["queue"].case.endswith("-messager-record_message")
    assert by_kind["publish"].case == "to messager subscribers"


def test_GIVEN_the_sample_rehearsal_THEN_each_rule_and_schedule_sends_the_input_the_template_gives_it(
    sample_report: Report,
) -> None:
    inputs = {o.case for o in sample_report.outcomes if o.kind in ("rule", "schedule")}
    assert inputs == {'input {"servey_schedule": "tick"}', 'input {"servey_schedule": "nightly_report"}'}


@rebuilds_layers
def test_GIVEN_the_sample_rehearsal_THEN_the_layer_is_rebuilt_for_this_machine_and_the_report_says_so(
    sample_report: Report,
) -> None:
    assert any(
        "layer rebuilt for this machine" in note and "pyjwt[crypto]" in note for note in sample_report.notes
    )


@rebuilds_layers
def test_GIVEN_a_layer_without_a_module_the_runtime_needs_THEN_it_fails_naming_the_module_and_function(
    synthesized: Synthesized, tmp_path: Path
) -> None:
    """GIVEN the sample assembly with a layer built from `pyjwt` alone (no crypto extra)."""
    outdir = tmp_path / "cdk.out"
    shutil.copytree(synthesized.outdir, outdir, ignore=shutil.ignore_patterns("servey-code"))
    stack = stack_of(outdir, "SampleApp")
    (layer,) = {
        path
        for function in stack.functions()
        for path in function.layers
        if (path / LAYER_MANIFEST).is_file()
    }
    manifest = json.loads((layer / LAYER_MANIFEST).read_text())
    manifest["requirements"] = [r.replace("[crypto]", "") for r in manifest["requirements"]]
    (layer / LAYER_MANIFEST).write_text(json.dumps(manifest))

    report = rehearse(stack, default_cache_dir(), ADMIN, LOGIN)

    failed = [outcome for outcome in report.outcomes if outcome.problem is not None]
    assert failed, report.text()
    assert any(
        outcome.function == "graphql-authorizer" and "No module named 'cryptography'" in str(outcome.problem)
        for outcome in failed
    ), report.text()
    assert "FAIL  graphql-authorizer" in report.text()


def test_GIVEN_servey_app_in_a_users_stack_THEN_it_rehearses_with_their_table_granted_to_one_function(
    synthesized: Synthesized, tmp_path: Path
) -> None:
    stack = stack_of(synthesized.outdir, "UserStack")
    with moto_server() as endpoint:
        connections = RecordedConnections()
        management = ManagementApi(connections)
        local_aws = LocalAws(stack, endpoint, management.url)
        run = Run(stack, local_aws, connections, tmp_path, default_cache_dir(), ADMIN, LOGIN)
        try:
            run.all()
            (get_item,) = [s for s in run.sandboxes.values() if s.function.name == "get_item"]
            table = get_item.environment["ORDERS_TABLE"]
            described = local_aws.client("dynamodb").describe_table(TableName=table)["Table"]
        finally:
            run.stop()
            management.close()
    assert run.report.passed, run.report.text()
    assert described["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    others = [s for s in run.sandboxes.values() if s.function.name != "get_item"]
    assert all("ORDERS_TABLE" not in sandbox.environment for sandbox in others)


def test_GIVEN_an_assembly_by_a_relative_path_WHEN_rehearsed_THEN_one_line_per_case_and_a_total(
    synthesized: Synthesized,
) -> None:
    """GIVEN the assembly named by a relative path, as `cdk.out` is."""
    command = [
        sys.executable, "-m", "servey_cdk", "rehearse", "--assembly", synthesized.outdir.name,
        "--stack", "SampleApp", "--env", "SAMPLE_ADMIN_PASSWORD=pw", "--login", "admin:pw",
    ]  # fmt: skip
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=300, cwd=synthesized.outdir.parent
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    lines = completed.stdout.splitlines()
    assert lines[0] == "rehearsal of stack SampleApp"
    assert lines[-1].split()[1:] == ["cases", "passed,", "0", "failed"]
    assert "SAMPLE_ADMIN_PASSWORD" not in completed.stdout


def test_GIVEN_a_folder_that_is_no_assembly_WHEN_rehearsed_THEN_the_error_names_it(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "servey_cdk", "rehearse", "--assembly", str(tmp_path)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 1
    assert f"{tmp_path} is not a cloud assembly" in completed.stderr
    assert "Traceback" not in completed.stderr


@pytest.fixture(scope="module")
def rehearsed_report(rehearsed_app: Path) -> Report:
    """The rehearsal app rehearsed without --login: its protected example gets a token of its own scopes."""
    return rehearse(stack_of(rehearsed_app, "RehearsedApp"), default_cache_dir())


def cases_of(report: Report, kind: str) -> dict[str, str]:
    return {outcome.function: outcome.case for outcome in report.outcomes if outcome.kind == kind}


def test_GIVEN_topics_a_fan_out_and_event_rules_WHEN_rehearsed_THEN_every_case_passes(
    rehearsed_report: Report,
) -> None:
    assert rehearsed_report.passed, rehearsed_report.text()


def test_GIVEN_an_example_with_a_matcher_and_scopes_WHEN_rehearsed_THEN_it_passes_with_a_token_of_its_scopes(
    rehearsed_report: Report,
) -> None:
    """GIVEN `place_order`, which needs `orders:write`, and whose example's `event_id` is ANY_UUID."""
    rest = {(o.function, o.case) for o in rehearsed_report.outcomes if o.kind == "rest"}
    assert ("place_order", "POST /actions/place-order example placed") in rest
    assert ("place_order", "POST /actions/place-order without a token") in rest
    assert cases_of(rehearsed_report, "appsync")["place_order"] == "Mutation.place_order example placed"


def test_GIVEN_a_topic_subscription_WHEN_rehearsed_THEN_a_notification_passing_its_filter_is_taken(
    rehearsed_report: Report,
) -> None:
    case = cases_of(rehearsed_report, "topic")["on_alert"]
    assert case.startswith("notification on RehearsedApp")
    assert case.endswith("-alerts")


def test_GIVEN_event_rules_WHEN_rehearsed_THEN_a_pattern_of_literals_is_sent_and_one_without_is_skipped(
    rehearsed_report: Report,
) -> None:
    cases = cases_of(rehearsed_report, "event")
    assert cases["on_order_placed"].startswith("Order Placed from shop.orders on bus RehearsedApp")
    assert cases["on_big_order"] == (
        'skipped: no event for its pattern: detail.total allows no literal value ([{"numeric": [">", 100]}])'
    )


def test_GIVEN_a_fan_out_WHEN_the_publisher_is_rehearsed_THEN_moto_delivers_to_the_linked_queue_raw(
    rehearsed_report: Report,
) -> None:
    """The REST and GraphQL examples of `place_order` each published once, through moto's SNS to SQS."""
    case = cases_of(rehearsed_report, "queue")["bill"]
    assert case.startswith("2 message(s) from RehearsedApp")
    assert case.endswith("-order_events-bill")


def test_GIVEN_a_fan_out_topic_in_moto_WHEN_a_message_its_link_filters_out_is_published_THEN_no_queue_gets_it(
    rehearsed_app: Path,
) -> None:
    stack = stack_of(rehearsed_app, "RehearsedApp")
    with moto_server() as endpoint:
        local_aws = LocalAws(stack, endpoint, "http://127.0.0.1:1")
        (topic,) = [
            v["TopicArn"]
            for logical_id, v in local_aws.values.items()
            if "TopicArn" in v and "-alerts" not in v["TopicArn"] and "Monitoring" not in logical_id
        ]  # the fan-out topic: not the SnsTrigger's, nor the alarms'
        (queue,) = [
            v for v in local_aws.values.values() if v.get("QueueName", "").endswith("-order_events-bill")
        ]
        sns, sqs = local_aws.client("sns"), local_aws.client("sqs")
        for kind in ("cancelled", "placed"):
            attributes = {"kind": {"DataType": "String", "StringValue": kind}}
            sns.publish(TopicArn=topic, Message=json.dumps({"kind": kind}), MessageAttributes=attributes)
        received = sqs.receive_message(QueueUrl=queue["QueueUrl"], MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(message["Body"]) for message in received] == [{"kind": "placed"}]
