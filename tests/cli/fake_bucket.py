"""The fake control plane's artifacts: what each run uploaded, listed as GET /v1/runs/{id}/artifacts
answers, and each file's bytes served at a local URL that stands in for a presigned S3 GET."""
import hashlib
from urllib.parse import quote, unquote

FILES = "/files/"  # the fake "presigned" URLs' path: /files/<run id>/<artifact path>
MODIFIED_AT = "2026-11-26T17:01:12Z"


class FakeBucket:
    def __init__(self):
        self.files = {}  # (run id, path) -> bytes
        self.lies = {}  # (run id, path) -> listing fields that differ from the bytes served (size, md5)

    def put(self, run_id: str, path: str, data: bytes, **lies) -> dict:
        """Store a file as the agent would have uploaded it; `lies` (size=, md5=) go into its listing only."""
        self.files[(run_id, path)], self.lies[(run_id, path)] = data, lies
        return {"path": path, "size": len(data), "md5": hashlib.md5(data).hexdigest(), **lies}

    def listing(self, run_id: str, base_url: str) -> list:
        return [{"path": path, "size": len(data), "md5": hashlib.md5(data).hexdigest(), "modified_at": MODIFIED_AT,
                 "url": f"{base_url}{FILES}{run_id}/{quote(path)}?X-Amz-Signature=fake", **self.lies[(rid, path)]}
                for (rid, path), data in sorted(self.files.items()) if rid == run_id]

    def serve(self, url_path: str) -> tuple:
        run_id, _, path = unquote(url_path.removeprefix(FILES)).partition("/")
        if (run_id, path) not in self.files:
            return 404, {"Error": "NoSuchKey"}
        return 200, self.files[(run_id, path)]
