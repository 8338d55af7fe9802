"""Hostile input: what an attacker sends, and the app that receives it."""

from __future__ import annotations

import pytest

from servey_cdk.aws.handler import LambdaApp
from servey_cdk.discovery import Registry, discover
from servey_cdk.json_input import MAX_DEPTH
from tests.hostile import hostile_app

TOO_DEEP = 5_000  # past Python's recursion limit: the parser itself gives up
DEEPER_THAN_ALLOWED = MAX_DEPTH + 1


def nested(depth: int) -> str:
    """A JSON object nested `depth` levels deep: {"a": {"a": ... {} ...}}."""
    return '{"a": ' * (depth - 1) + "{}" + "}" * (depth - 1)


@pytest.fixture(scope="session")
def registry() -> Registry:
    return discover("tests.hostile.hostile_app")


@pytest.fixture
def app(registry: Registry) -> LambdaApp:
    hostile_app.RECEIVED.clear()
    return LambdaApp(registry)
