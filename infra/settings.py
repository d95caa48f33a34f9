"""Every literal the CDK app uses, in one place (house rule: no numbers or names buried in constructs)."""
import difflib
import hashlib
import importlib.metadata
import re
import string
from dataclasses import dataclass

from aws_cdk.aws_logs import RetentionDays

from functions.settings import BUDGET_ENV_VAR, DEFAULT_LIMITS, LIMIT_ENV_VARS

STACK_NAME = "SkyRepl"  # override with `-c stack_name=...`
STACK_NAME_CONTEXT = "stack_name"

# The control id names this deployment on every instance it launches (tag skyrepl:control-id, Name
# repl-<control-id>-<run-id>), so the sweeper only ever touches its own instances.
CONTROL_ID_CONTEXT = "control_id"  # `-c control_id=k3j9xa`
CONTROL_ID_PATTERN = re.compile(r"^[0-9a-z]{6}$")
CONTROL_ID_LENGTH = 6
_BASE36 = string.digits + string.ascii_lowercase


def default_control_id(stack_name: str) -> str:
    """Deterministic: the same stack name always gets the same id, so redeploys keep their instances."""
    number = int(hashlib.sha256(stack_name.encode()).hexdigest(), 16)
    digits = []
    for _ in range(CONTROL_ID_LENGTH):
        number, rest = divmod(number, 36)
        digits.append(_BASE36[rest])
    return "".join(digits)


def resolve_control_id(context_value: object, stack_name: str) -> str:
    control_id = str(context_value) if context_value else default_control_id(stack_name)
    if not CONTROL_ID_PATTERN.match(control_id):
        raise ValueError(f"control_id must be 6 characters [0-9a-z], got {control_id!r}")
    return control_id


# Lambda code: these top-level packages are staged (only *.py) into one asset.
CODE_PACKAGES = ("functions", "agent")
STAGING_DIR = "staging/lambda-code"  # under the cloud assembly's outdir

# Powertools for AWS Lambda (Python) v3, official public layer (commercial partition only), of exactly the
# version requirements.txt pins and the tests run: the functions use its Event Handler's validation, whose
# internals functions/http_errors.py extends. Its ARN is the public SSM parameter Powertools publishes per
# arch, Python and version, resolved by CloudFormation at deploy (no layer number to keep up to date).
POWERTOOLS_VERSION = importlib.metadata.version("aws-lambda-powertools")
POWERTOOLS_LAYER_PARAMETER = f"/aws/service/powertools/python/x86_64/python3.12/{POWERTOOLS_VERSION}"
POWERTOOLS_SERVICE_NAME = "skyrepl"
POWERTOOLS_METRICS_NAMESPACE = "SkyREPL"
LOG_LEVEL = "INFO"
LOG_RETENTION = RetentionDays.ONE_MONTH  # 30 days: every log group (the Lambdas', the state machine's, the API's)
LOGS_TABLE_TTL_DAYS = 30  # run logs in DynamoDB expire after this many days (LOG_RETENTION_DAYS env)


@dataclass(frozen=True)
class FunctionSize:
    memory_mb: int
    timeout_s: int


# Keys: "Api", "AgentApi", the workflow task names (functions.workflow.definition.TASK_HANDLERS), "Sweeper",
# "Startup", "PoolKeeper".
FUNCTION_SIZES = {
    # 256 MB: their time is AWS calls, not CPU (bench/results/cost.json); 29 s = API Gateway's timeout
    "Api": FunctionSize(memory_mb=256, timeout_s=29),
    "AgentApi": FunctionSize(memory_mb=256, timeout_s=29),  # also zips agent/ for GET /v1/agent/code
    "Provision": FunctionSize(memory_mb=512, timeout_s=120),  # startup() + AMI lookup + RunInstances
    "CheckRegistration": FunctionSize(memory_mb=256, timeout_s=30),
    "StartRun": FunctionSize(memory_mb=256, timeout_s=30),
    "DispatchRun": FunctionSize(memory_mb=256, timeout_s=30),
    "KeepInstance": FunctionSize(memory_mb=256, timeout_s=30),
    "Finalize": FunctionSize(memory_mb=256, timeout_s=120),  # terminate + confirm (the ASL retries)
    "Cleanup": FunctionSize(memory_mb=256, timeout_s=120),
    "Sweeper": FunctionSize(memory_mb=256, timeout_s=240),  # < the 5 min schedule: sweeps never overlap
    "Startup": FunctionSize(memory_mb=256, timeout_s=120),  # the deploy-time startup() (custom resource)
    # launches and retires, AWS calls all: < its lease (functions/lifecycle/pool_keeper.LEASE_MS), so a keeper that
    # died mid-way never holds a pool past it
    "PoolKeeper": FunctionSize(memory_mb=256, timeout_s=120),
}
# Bump to make a deployment run startup() again (a custom resource runs on Create and on a changed Update).
STARTUP_RESOURCE_VERSION = "1"

# HTTP API: https://<id>.execute-api.<region>.<suffix>/v1/... (its $default stage has no path)
API_ROOT = "v1"
API_AGENT_PATH = "agent"


@dataclass(frozen=True)
class Throttle:
    rate: int  # steady requests per second
    burst: int  # requests at once (the token bucket's size)


# Each route key has a throttle of its own (the stage's RouteSettings), so a flood on one route is
# answered 429 at that route's limit and cannot spend what the others need; API Gateway's account-wide
# limit (10,000 requests/s, burst 5,000 per region) stays far above their sum. No reserved concurrency
# on the functions: a new account's Lambda concurrency can be as low as 10, all of it shared.
# Users: a person's CLI makes a few calls per command and a followed run about one a second.
API_USER_THROTTLE = Throttle(rate=50, burst=100)
# Agents: each running instance holds one events call (its heartbeat) for up to 15 s, and ships its
# output every few seconds: 200/s serves several hundred instances at once; unauthenticated, so bounded.
API_AGENT_THROTTLE = Throttle(rate=200, burst=400)
# Boot: each instance calls these once (with its single-use user-data token). Burst 100: as many
# instances as the default active-runs limit all booting at once; a flood here leaves the heartbeats be.
API_AGENT_BOOT_THROTTLE = Throttle(rate=10, burst=100)
API_AGENT_BOOT_ROUTES = (("POST", "register"), ("GET", "code"))  # under /v1/agent/
# One JSON line per request in the API's access log. No header is logged (the Authorization header
# carries agents' bearer tokens and users' signatures) and no query string; the caller is named by
# its IAM ARN (user routes) and source IP.
API_ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId", "time": "$context.requestTimeEpoch", "ip": "$context.identity.sourceIp",
    "caller": "$context.identity.userArn", "userAgent": "$context.identity.userAgent",
    "routeKey": "$context.routeKey", "method": "$context.httpMethod", "path": "$context.path",
    "protocol": "$context.protocol", "status": "$context.status", "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency", "integrationStatus": "$context.integrationStatus",
    "integrationLatency": "$context.integrationLatency", "error": "$context.error.message",
    "errorType": "$context.error.responseType",  # THROTTLED, with routeKey: which route's limit said no
}

SWEEP_EVERY_MINUTES = 5
# The pool keeper's backstop (functions/lifecycle/pool_keeper.py): every pool kept, whether or not a claim or a resize asked
POOL_KEEP_EVERY_MINUTES = 1
POOL_KEEPER_FUNCTION_NAME_ENV = "POOL_KEEPER_FUNCTION_NAME"  # functions/settings.py pool_keeper_function
WORKDIR_EXPIRY_DAYS = 7  # synced working directories (an unchanged tree is uploaded again after a week)
ARTIFACT_EXPIRY_DAYS = LOGS_TABLE_TTL_DAYS  # a run's artifacts go when its logs do
STATE_MACHINE_LOG_PREFIX = "/aws/vendedlogs/states/"  # AWS's recommended prefix for vended logs
# Server access logs of the run-files bucket: who fetched or put which object with a presigned URL.
ACCESS_LOG_EXPIRY_DAYS = 30  # as long as the API's access logs and the functions' logs (LOG_RETENTION)

# Tables whose loss would lose users' history: kept when the stack is deleted.
RETAINED_TABLES = ("Runs", "Instances")



# Any instance of the account, any region: CreateTags on an existing one (its id is EC2's), narrowed by conditions.
ANY_INSTANCE = "arn:aws:ec2:*:*:instance/*"


def ours_only(control_id: str) -> dict:
    """Destructive EC2 actions only on this deployment's own resources (all tagged at creation)."""
    return {"StringEquals": {"aws:ResourceTag/skyrepl:managed": "true", "aws:ResourceTag/skyrepl:control-id": control_id}}


# What one owner may start (functions/core/limits.py), from cdk context at deploy, e.g.
# `cdk deploy -c limit_active_runs=5 -c limit_instance_types="t3.*,c7g.*" -c limit_max_duration_ms=86400000`.
LIMIT_CONTEXT = {"active_runs": "limit_active_runs", "instance_types": "limit_instance_types",
                 "max_duration_ms": "limit_max_duration_ms"}


def limits_env(scope) -> dict[str, str]:
    """The Api function's limit env vars: each context value given, else the default. A misspelt key or
    a value the function could not read fails the synth, naming it (not every request, later)."""
    given = {key: value for key, value in scope.node.get_all_context().items() if key.startswith("limit_")}
    for key in given.keys() - set(LIMIT_CONTEXT.values()):
        nearest = difflib.get_close_matches(key, LIMIT_CONTEXT.values(), n=1)
        raise ValueError(f"-c {key}: not a limit" + (f"; did you mean {nearest[0]}?" if nearest else "") +
                         f" (limits: {', '.join(LIMIT_CONTEXT.values())})")
    defaults = {"active_runs": str(DEFAULT_LIMITS.active_runs), "instance_types": ",".join(DEFAULT_LIMITS.instance_types),
                "max_duration_ms": str(DEFAULT_LIMITS.max_duration_ms)}
    env = {}
    for name, key in LIMIT_CONTEXT.items():
        value = str(given.get(key) or defaults[name]).strip()
        if name != "instance_types" and not (value.isascii() and value.isdigit() and int(value) >= 1):
            raise ValueError(f"-c {key}={value}: must be a whole number of at least 1")
        env[LIMIT_ENV_VARS[name]] = value
    return env


# One owner's monthly budget in USD (functions/core/limits.check_budget), e.g. `-c budget_monthly_usd=500`;
# absent: no budget.
BUDGET_CONTEXT = "budget_monthly_usd"


def budget_env(scope) -> dict[str, str]:
    """The Api function's budget env var, if the context gives one; a value it could not read fails the synth."""
    value = str(scope.node.get_all_context().get(BUDGET_CONTEXT) or "").strip()
    if not value:
        return {}
    try:
        amount = float(value)
    except ValueError:
        amount = 0.0
    if not 0 < amount < float("inf"):
        raise ValueError(f"-c {BUDGET_CONTEXT}={value}: must be a number of US dollars above 0")
    return {BUDGET_ENV_VAR: value}


# Metrics and alarms (infra/constructs/alarms.py): where the alarms' topic e-mails, e.g.
# `-c alarm_email=ops@example.com` (absent: a topic nobody is subscribed to yet), and the run-end
# webhook, `-c webhook_url=https://hooks.example.com/skyrepl` (absent: none). A bad value fails the synth.
ALARM_EMAIL_CONTEXT = "alarm_email"
WEBHOOK_URL_CONTEXT = "webhook_url"
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_HTTPS_URL = re.compile(r"^https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[^\s]*)?$")


def alarm_email(scope) -> str | None:
    value = str(scope.node.try_get_context(ALARM_EMAIL_CONTEXT) or "").strip()
    if value and not (len(value) <= 254 and _EMAIL.match(value)):
        raise ValueError(f"-c {ALARM_EMAIL_CONTEXT}={value}: not an e-mail address")
    return value or None


def webhook_url(scope) -> str | None:
    value = str(scope.node.try_get_context(WEBHOOK_URL_CONTEXT) or "").strip()
    if value and not (len(value) <= 2048 and _HTTPS_URL.match(value)):
        raise ValueError(f"-c {WEBHOOK_URL_CONTEXT}={value}: must be an https:// URL")
    return value or None
