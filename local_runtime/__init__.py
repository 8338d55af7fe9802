"""`servey-local`: a Starlette emulator that drives the app's Lambda handler with AWS-shaped events."""

from local_runtime.app import LocalRuntime, create_app

__all__ = ["LocalRuntime", "create_app"]
