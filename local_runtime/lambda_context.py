"""The context object Lambda passes beside each event, with this emulator's values."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

ACCOUNT_ID = "000000000000"
REGION = "local"


def new_request_id() -> str:
    """A random id in the form of AWS's request ids (UUID 4), at a third of `uuid.uuid4()`'s cost."""
    digits = f"{random.getrandbits(128):032x}"
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-8{digits[17:20]}-{digits[20:]}"


@dataclass(slots=True)
class LambdaContext:
    """The attributes of Lambda's Python context that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    timeout_s: int
    aws_request_id: str = field(default_factory=new_request_id)
    function_version: str = "$LATEST"
    started_at: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/[{self.function_version}]{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed_ms = (time.monotonic() - self.started_at) * 1000
        return max(0, int(self.timeout_s * 1000 - elapsed_ms))
