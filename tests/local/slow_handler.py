"""A handler for tests/local/test_environments.py: takes a while and says which process served it."""
import os
import time


def handler(event, _context):
    if event.get("body") == "crash":
        os._exit(3)  # the execution environment dies, as a Lambda that runs out of memory
    time.sleep(0.3)
    return {"statusCode": 200, "body": f"{os.getpid()} {event.get('body')}"}
