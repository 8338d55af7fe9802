"""The CDK app of the sample app: `cdk synth` (see cdk.json) runs this file."""

import os
import sys
from pathlib import Path

# cdk runs this file as a script; the project root holds sample_app and constructs_lib.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from constructs_lib.node import supported_node

# The entry point chooses the Node.js that jsii runs, before aws_cdk starts it (constructs_lib.node).
os.environ.setdefault("JSII_NODE", supported_node() or "node")

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from constructs_lib import ServeyStack

app = cdk.App()
ServeyStack(app, "ServeySampleApp", app_module="sample_app", description="servey-cdk sample app")
cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
app.synth()
