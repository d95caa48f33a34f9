"""The environment a run's command gets (`repl run --env KEY=VALUE`). Its values may be secrets: they
are checked here, kept only in an SSM SecureString for the run's lifetime (functions/aws/run_env.py),
and never written to a record, a log, the execution's input or an event; records keep the names."""
import json
import re

from .errors import Invalid

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"  # published by the API's models too
NAME = re.compile(NAME_PATTERN)
MAX_VARIABLES = 100
MAX_BYTES = 4_096  # an SSM SecureString in the standard tier holds 4 KB
RESERVED = ("SKYREPL_", "PATH")  # the agent's own settings, and what finds the command's programs


def parse_env(value) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise Invalid('env: must be an object of NAME: "value" strings', field="env")
    if any("\0" in v or not _utf8(v) for v in value.values()):
        raise Invalid("env: a value holds a NUL or is not UTF-8 text; an environment cannot carry it", field="env")
    bad = sorted(name for name in value if not NAME.fullmatch(name) or name.startswith(RESERVED[0]) or name == RESERVED[1])
    if bad:
        raise Invalid(f"env: {bad[0]!r} is not allowed; names are letters, digits and _, not starting with a "
                      "digit, and neither PATH nor SKYREPL_*", field="env")
    if len(value) > MAX_VARIABLES:
        raise Invalid(f"env: {len(value)} variables; at most {MAX_VARIABLES}", field="env")
    if len(json.dumps(value).encode()) > MAX_BYTES:
        raise Invalid(f"env: more than {MAX_BYTES} bytes in all; pass large values as files in the workdir",
                      field="env")
    return dict(value)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False
