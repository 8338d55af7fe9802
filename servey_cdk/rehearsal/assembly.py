"""A synthesized cloud assembly, read as CloudFormation and the CDK's asset manifests describe it.

Each stack's template and its file assets (found by the S3 key the template gives a
function's code or a layer's content) are all the rehearsal needs: it runs what
would be uploaded, not the source tree.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from servey_cdk.wire import FUNCTION_METADATA


class AssemblyError(ValueError):
    """The folder is not a cloud assembly the rehearsal can read; says what is missing."""


@dataclass(frozen=True)
class TemplateFunction:
    """A Lambda function as the template deploys it; `environment` holds raw template values."""

    logical_id: str
    name: str | None  # its FunctionSpec, or None for a function servey-cdk did not make
    handler: str
    runtime: str
    architecture: str
    timeout: int
    memory: int
    code: Path | None
    layers: tuple[Path, ...]
    environment: dict[str, Any]


@dataclass(frozen=True)
class StackAssembly:
    name: str
    template: dict[str, Any]
    assets: dict[str, Path]  # S3 object key → the asset's folder or zip in the assembly

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = self.template.get("Resources", {})
        return found

    def of_type(self, type_name: str) -> dict[str, dict[str, Any]]:
        return {key: value for key, value in self.resources.items() if value.get("Type") == type_name}

    def properties(self, logical_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.resources[logical_id].get("Properties", {})
        return found

    def functions(self) -> list[TemplateFunction]:
        return [self._function(key, value) for key, value in self.of_type("AWS::Lambda::Function").items()]

    def asset(self, location: Any) -> Path | None:
        """The local copy of an S3 location `{S3Bucket, S3Key}`; None for inline or unknown code."""
        key = location.get("S3Key") if isinstance(location, dict) else None
        return self.assets.get(key) if isinstance(key, str) else None

    def _function(self, logical_id: str, resource: dict[str, Any]) -> TemplateFunction:
        properties = resource.get("Properties", {})
        layers = []
        for layer in properties.get("Layers", []):
            if isinstance(layer, dict) and "Ref" in layer and layer["Ref"] in self.resources:
                content = self.asset(self.properties(layer["Ref"]).get("Content"))
                if content is not None:
                    layers.append(content)
        return TemplateFunction(
            logical_id=logical_id,
            name=(resource.get("Metadata") or {}).get(FUNCTION_METADATA),
            handler=str(properties.get("Handler", "")),
            runtime=str(properties.get("Runtime", "")),
            architecture=(properties.get("Architectures") or ["x86_64"])[0],
            timeout=int(properties.get("Timeout", 3)),
            memory=int(properties.get("MemorySize", 128)),
            code=self.asset(properties.get("Code")),
            layers=tuple(layers),
            environment=dict((properties.get("Environment") or {}).get("Variables") or {}),
        )


def read_assembly(directory: Path) -> list[StackAssembly]:
    """Every CloudFormation stack of the assembly in `directory` (a `cdk.out`), nested stages included."""
    directory = directory.resolve()  # the sandboxes run elsewhere: their paths must not be relative
    manifest_file = directory / "manifest.json"
    if not manifest_file.is_file():
        raise AssemblyError(f"{directory} is not a cloud assembly: it has no manifest.json (run `cdk synth`)")
    return list(_stacks(directory, json.loads(manifest_file.read_text(encoding="utf-8"))))


def _stacks(directory: Path, manifest: dict[str, Any]) -> Iterator[StackAssembly]:
    artifacts: dict[str, Any] = manifest.get("artifacts", {})
    assets: dict[str, Path] = {}
    for artifact in artifacts.values():
        if artifact.get("type") == "cdk:asset-manifest":
            assets.update(_file_assets(directory, directory / artifact["properties"]["file"]))
    for name, artifact in artifacts.items():
        kind = artifact.get("type")
        if kind == "aws:cloudformation:stack":
            template_file = directory / artifact["properties"]["templateFile"]
            template = json.loads(template_file.read_text(encoding="utf-8"))
            yield StackAssembly(artifact.get("displayName", name), template, assets)
        elif kind == "cdk:cloud-assembly":  # a Stage: an assembly of its own in a subfolder
            nested = directory / artifact["properties"]["directoryName"]
            yield from _stacks(nested, json.loads((nested / "manifest.json").read_text(encoding="utf-8")))


def _file_assets(directory: Path, manifest_file: Path) -> dict[str, Path]:
    found = {}
    for asset in json.loads(manifest_file.read_text(encoding="utf-8")).get("files", {}).values():
        source = directory / asset["source"]["path"]
        for destination in asset.get("destinations", {}).values():
            found[destination["objectKey"]] = source
    return found


def unpacked(asset: Path, into: Path) -> Path:
    """An asset as a folder: itself, or its zip extracted under `into` (once)."""
    if asset.is_dir():
        return asset
    target = into / asset.stem
    if not target.is_dir():
        with zipfile.ZipFile(asset) as archive:
            archive.extractall(target)
    return target
