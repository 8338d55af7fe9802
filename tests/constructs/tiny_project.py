"""A tiny project laid out as users lay theirs out: the app in `app_pkg/`, its CDK app in `infra/`."""

from __future__ import annotations

import textwrap
from pathlib import Path

APP_MODULE = "tiny_app_pkg"
ACTION = '''
from servey_cdk import WEB_GET, Example, action


@action(triggers=WEB_GET, examples=Example("greet", params={"name": "Ada"}, result="Hello Ada!"))
def say_hello(name: str) -> str:
    """Greet a user."""
    return f"Hello {name}!"
'''
# The CDK app writes its assembly to argv[1]; with an argument `root`, it names the app's root itself.
CDK_APP = """
import os
import sys
from pathlib import Path

from constructs_lib.node import supported_node

os.environ.setdefault("JSII_NODE", supported_node() or "node")

import aws_cdk as cdk

from constructs_lib import ServeyStack
from constructs_lib.packaging import default_cache_dir

app = cdk.App(outdir=sys.argv[1])
root = Path(__file__).resolve().parents[1] if sys.argv[2:] == ["root"] else None
layer = {{"layer_cache_dir": default_cache_dir()}}
ServeyStack(app, "Tiny", app_module="{module}", app_root=root, app_props=layer)
app.synth()
"""


def write_tiny_project(project: Path, module: str = APP_MODULE) -> Path:
    """`project/MODULE/__init__.py` with one action, and `project/infra/app.py`; returns the latter.

    A test that imports the app in its own process gives a module name of its own: a module is
    imported once per process."""
    package = project / module
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(ACTION).lstrip())
    infra = project / "infra"
    infra.mkdir()
    (infra / "app.py").write_text(CDK_APP.format(module=module).lstrip())
    return infra / "app.py"
