"""The sample stack's declared resources: the catalogue table, the uploads bucket and the webhook
signing secret, each granted exactly to the functions whose actions use it, with exactly the IAM
actions those uses name."""

from __future__ import annotations

from typing import Any

from servey_cdk.resources.uses import iam_actions
from tests.constructs.template_queries import Resources, of_type, policy_statements, role_of


def _logical(resources: Resources, type_name: str, fragment: str) -> str:
    (found,) = [name for name in of_type(resources, type_name) if fragment in name]
    return found


def _on(resources: Resources, function: str, logical_id: str) -> dict[str, set[str]]:
    """The actions a function's role may take on a resource (its ARN, or what is under it), by target."""
    granted: dict[str, set[str]] = {}
    for statement in policy_statements(resources, role_of(resources, function)):
        targets = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for target in targets:
            if logical_id in str(target):
                granted.setdefault(_shown(target), set()).update(actions)
    return granted


def _shown(target: Any) -> str:
    text = str(target)
    return "objects" if "/*" in text else "index" if "/index/" in text else "itself"


def test_GIVEN_the_sample_stack_THEN_each_function_is_granted_exactly_what_its_uses_name(
    resources: Resources,
) -> None:
    table = _logical(resources, "AWS::DynamoDB::Table", "Catalogue")
    bucket = _logical(resources, "AWS::S3::Bucket", "ResourcesUploads")
    secret = _logical(resources, "AWS::SecretsManager::Secret", "WebhookSigningKey")
    read, write = set(iam_actions("table", "read")), set(iam_actions("table", "write"))

    for reader in ("get_item", "list_items", "catalogue_page", "item_page"):
        assert _on(resources, reader, table) == {"itself": read}, reader
    assert _on(resources, "create_item", table) == {"itself": set(iam_actions("table", "read_write"))}
    assert _on(resources, "delete_item", table) == {"itself": write}
    assert _on(resources, "on_upload", bucket) == {"itself": {"s3:ListBucket"}, "objects": {"s3:GetObject"}}
    assert _on(resources, "upload_csv", bucket) == {"objects": set(iam_actions("bucket", "write"))}
    assert _on(resources, "sign_webhook", secret) == {"itself": set(iam_actions("secret", "read"))}
    for other in ("say_hello", "on_upload", "sign_webhook"):
        assert _on(resources, other, table) == {}, other
    for other in ("get_item", "sign_webhook"):
        assert _on(resources, other, bucket) == {}, other
    assert _on(resources, "get_item", secret) == {}


def test_GIVEN_the_sample_catalogue_THEN_it_is_encrypted_recoverable_and_kept(resources: Resources) -> None:
    table = resources[_logical(resources, "AWS::DynamoDB::Table", "Catalogue")]
    assert table["DeletionPolicy"] == "Retain"
    assert table["Properties"]["SSESpecification"] == {"SSEEnabled": True}
    assert table["Properties"]["KeySchema"] == [{"AttributeName": "item_id", "KeyType": "HASH"}]
