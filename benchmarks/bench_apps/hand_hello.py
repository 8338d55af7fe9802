"""The benchmark's one-route app as a hand-written Lambda handler: the floor."""

import json
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    name = (event.get("queryStringParameters") or {}).get("name")
    if not isinstance(name, str):
        return {"statusCode": 422, "body": json.dumps({"error": "name is required"})}
    body = json.dumps(f"Hello {name}!")
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": body}
