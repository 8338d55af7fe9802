"""AppSync's built-in scalars, which its SDL uses without declaring them.

Values cross the wire as AppSync sends them: strings for dates, times, e-mails, URLs,
phone numbers and IP addresses (checked for their format), an integer for
`AWSTimestamp`, and a JSON string for `AWSJSON` (parsed on input, written on output).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlparse

from graphql import GraphQLError, GraphQLSchema

from servey_cdk.errors import InvalidInput
from servey_cdk.json_input import parse_json

_PHONE = re.compile(r"^\+?[\d\s().-]*\d[\d\s().-]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _date_time(value: str) -> bool:
    return datetime.fromisoformat(value).tzinfo is not None


def _url(value: str) -> bool:
    parsed = urlparse(value)
    return bool(parsed.scheme and (parsed.netloc or parsed.scheme == "mailto"))


def _ip(value: str) -> bool:
    ipaddress.ip_network(value, strict=False)
    return True


_STRING_FORMATS: dict[str, Callable[[str], bool]] = {
    "AWSDateTime": _date_time,
    "AWSDate": lambda value: bool(date.fromisoformat(value[:10])),
    "AWSTime": lambda value: bool(time.fromisoformat(value)),
    "AWSEmail": lambda value: bool(_EMAIL.match(value)),
    "AWSURL": _url,
    "AWSPhone": lambda value: bool(_PHONE.match(value)),
    "AWSIPAddress": _ip,
}
APPSYNC_SCALARS = (*_STRING_FORMATS, "AWSTimestamp", "AWSJSON")


def declare_appsync_scalars(sdl: str) -> str:
    """The SDL with AppSync's scalars declared, so graphql-core can build it."""
    declared = set(re.findall(r"^\s*scalar\s+(\w+)", sdl, re.MULTILINE))
    missing = [name for name in APPSYNC_SCALARS if name not in declared]
    return "".join(f"scalar {name}\n" for name in missing) + sdl


def install_appsync_scalars(schema: GraphQLSchema) -> None:
    """Give each AppSync scalar of a built schema its coercion rules."""
    for name, is_valid in _STRING_FORMATS.items():
        scalar = schema.type_map.get(name)
        if scalar is not None:
            coerce = _string_format(name, is_valid)
            scalar.coerce_output_value = scalar.coerce_input_value = coerce  # type: ignore[attr-defined]
    if (timestamp := schema.type_map.get("AWSTimestamp")) is not None:
        timestamp.coerce_output_value = timestamp.coerce_input_value = _timestamp  # type: ignore[attr-defined]
    if (json_scalar := schema.type_map.get("AWSJSON")) is not None:
        json_scalar.coerce_output_value = _json_output  # type: ignore[attr-defined]
        json_scalar.coerce_input_value = _json_input  # type: ignore[attr-defined]


def _string_format(name: str, is_valid: Callable[[str], bool]) -> Callable[[Any], str]:
    def coerce(value: Any) -> str:
        try:
            if isinstance(value, str) and is_valid(value):
                return value
        except ValueError:
            pass
        raise GraphQLError(f"{name} cannot represent {value!r}")

    return coerce


def _timestamp(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise GraphQLError(f"AWSTimestamp cannot represent {value!r}: it is whole seconds since the epoch")


def _json_input(value: Any) -> Any:
    if not isinstance(value, str):
        raise GraphQLError("AWSJSON takes a string of JSON")
    try:
        return parse_json(value, "its value", ["AWSJSON"])
    except InvalidInput as error:
        raise GraphQLError(f"AWSJSON cannot parse {error.message}") from None


def _json_output(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
