"""The rehearsal's stand-in for Lambda's runtime interface client. Standard library only.

Run as `python -I -S bootstrap.py HANDLER PATH...`: the interpreter sees its standard
library and the given folders (the task, each layer's `python/`, the runtime's own
packages), nothing else. It reads one JSON invocation a line on stdin and answers
each with one JSON line on the original stdout; what the function prints goes to
stderr, as a function's output goes to its log, ended by `LOG_END` once the invocation
is done, so that its reader knows when it has all of the invocation's log. An exception
is answered as Lambda reports it: `errorType`, `errorMessage` and `stackTrace`.
"""

import importlib
import json
import os
import sys
import time
import traceback
from typing import Any

LOG_END = "\x1eservey-invocation-end\n"  # a line no function logs: the invocation's log is complete


class Context:
    """The attributes of Lambda's context object that functions read."""

    def __init__(self, invocation: dict[str, Any], deadline: float) -> None:
        self.aws_request_id = invocation["request_id"]
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.invoked_function_arn = invocation["function_arn"]
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "rehearsal"
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main() -> None:
    handler_name, *paths = sys.argv[1:]
    standard_library = [path for path in sys.path if "site-packages" not in path and path]
    sys.path[:] = [*paths, *standard_library]
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # the function's own prints go to the log
    sys.stdout = sys.stderr
    timeout = float(os.environ["AWS_LAMBDA_FUNCTION_TIMEOUT"])
    handler: Any = None
    for line in sys.stdin:
        invocation = json.loads(line)
        try:
            if handler is None:
                module_name, _, function_name = handler_name.rpartition(".")
                handler = getattr(importlib.import_module(module_name), function_name)
            context = Context(invocation, time.monotonic() + timeout)
            answer: dict[str, Any] = {"result": handler(invocation["event"], context)}
        except Exception as error:
            answer = {
                "error": {
                    "errorType": type(error).__name__,
                    "errorMessage": str(error),
                    "stackTrace": traceback.format_exception(error),
                }
            }
        sys.stderr.write(LOG_END)
        sys.stderr.flush()
        channel.write(json.dumps(answer, default=str) + "\n")
        channel.flush()


if __name__ == "__main__":
    main()
