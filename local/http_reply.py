"""One HTTP answer from a BaseHTTPRequestHandler, for every local server (the embedded gateway and
IMDS, and the tests' fakes): the status, the headers, a Content-Length that is always the body's."""


def reply(handler, status: int, data: bytes = b"", headers: dict | None = None) -> None:
    handler.send_response(status)
    for name, value in (headers or {}).items():
        if name.lower() != "content-length":
            handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(data)))
    try:
        handler.end_headers()
        handler.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):  # the client left (a repl exited mid-poll): nothing to tell
        handler.close_connection = True
