"""CDK constructs that render a servey-cdk app's AppSpec into AWS resources.

The constructs are imported on first use (`from constructs_lib import ServeyApp`), with aws_cdk:
importing this package alone starts no jsii kernel and changes no environment variable, so that
an entry point may still choose the Node that jsii runs (`constructs_lib.node`). The package
exports what `constructs_lib.app.__all__` lists, `ServeyApp` and every construct it is made of:
a new part is exported where it is composed.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from constructs_lib.app import *  # noqa: F403


def __getattr__(name: str) -> Any:
    if name == "__all__":  # for `from constructs_lib import *`, which needs the constructs anyway
        return list(importlib.import_module("constructs_lib.app").__all__)
    if name == "PropsError":  # an entry point may catch it before any construct, and jsii, is loaded
        return importlib.import_module("constructs_lib.props").PropsError
    # A submodule (`from constructs_lib import defaults`) is the import system's to load, not app's.
    if name.startswith("__") or importlib.util.find_spec(f"{__name__}.{name}") is not None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    app = importlib.import_module("constructs_lib.app")
    if name not in app.__all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(app, name)
    globals()[name] = value
    return value
