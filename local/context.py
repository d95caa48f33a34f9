"""A Lambda context object for handlers run in-process (Powertools' Logger reads these fields)."""
import time
import uuid


class LambdaContext:
    memory_limit_in_mb = 256
    function_version = "$LATEST"
    log_group_name = "/aws/lambda/local"
    log_stream_name = "local"

    def __init__(self, function_name: str, timeout_s: int = 300):
        self.function_name = function_name
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))
