"""The agent's own code, served to the bootstrap as a base64 zip runnable with `python3 agent.zip`."""
import base64
import io
import zipfile
from functools import lru_cache
from pathlib import Path

AGENT_DIR = Path(__file__).resolve().parents[2] / "agent"  # the Lambda asset holds functions/ and agent/
_ZIP_MAIN = 'import runpy\nrunpy.run_module("agent", run_name="__main__", alter_sys=True)\n'


@lru_cache(maxsize=1)
def agent_zip_base64() -> str:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("__main__.py", _ZIP_MAIN)
        for path in sorted(AGENT_DIR.glob("*.py")):
            zf.write(path, f"agent/{path.name}")
    return base64.b64encode(buf.getvalue()).decode()
