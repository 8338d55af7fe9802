"""A request without a token loads nothing tokens need: no PyJWT, cryptography or boto3."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO_ROOT, load_event

TOKEN_MODULES = ("jwt", "cryptography", "boto3")

PROBE = """
import json, sys
from servey_cdk.aws.handler import handler
from tests.conftest import FakeLambdaContext
answer = handler(json.loads(sys.stdin.read()), FakeLambdaContext())
print(json.dumps([answer["statusCode"], sorted(m for m in {modules!r} if m in sys.modules)]))
"""


def handle_in_a_fresh_interpreter(event: object) -> list[object]:
    """The status and the token modules loaded, for one event handled by a KMS-configured function."""
    environment = {
        "SERVEY_ACTION_PATH": "sample_app",
        "SERVEY_TOKEN_KEY_ID": "fake-key-never-fetched",
        "PATH": "",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(modules=TOKEN_MODULES)],
        input=json.dumps(event),
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    answer: list[object] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def test_GIVEN_a_request_without_a_token_WHEN_handled_THEN_no_token_module_is_imported() -> None:
    assert handle_in_a_fresh_interpreter(load_event("apigw_rest_say_hello")) == [200, []]


def test_GIVEN_a_malformed_token_WHEN_handled_THEN_pyjwt_refuses_it_without_reaching_kms() -> None:
    event = load_event("apigw_rest_authorization")
    event["headers"]["Authorization"] = "Bearer not-a-token"
    assert handle_in_a_fresh_interpreter(event) == [401, ["cryptography", "jwt"]]
