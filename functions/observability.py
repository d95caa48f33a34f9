"""The one Powertools Logger every Lambda shares, and its metrics (EMF): one line at each emit point.

Every emit is flushed at once as its own EMF blob (EphemeralMetrics: no state shared between calls),
so it reaches the function's log whichever handler it runs under (the Api and AgentApi handlers serve
every route; a run ends under four different functions) and no decorator can be forgotten. A metric
never fails or changes what it measures: a failure to emit is logged and dropped.
"""
import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

SERVICE = "skyrepl"  # the logs' service key and every metric's one dimension (the alarms' too)
logger = Logger(service=SERVICE)

NAMESPACE_ENV = "POWERTOOLS_METRICS_NAMESPACE"  # infra/lambda_function.py sets it on every Lambda
DEFAULT_NAMESPACE = "SkyREPL"  # where nothing sets it (tests, the embedded stack's in-process tasks)
# The metric names (README "Metrics and alarms"; infra/constructs/alarms.py alarms on some of them).
RUNS_CREATED, RUNS_ENDED, WORKFLOW_FAILURES = "RunsCreated", "RunsEnded", "WorkflowFailures"
LEAKS_CAUGHT, ORPHANS_FOUND, INSTANCES_PAST_DEADLINE = "LeaksCaught", "OrphansFound", "InstancesPastDeadline"
START_PHASES = ("CreatedToLaunchedMs", "LaunchedToRegisteredMs", "RegisteredToStartedMs")


def emit(values: dict[str, float], unit: MetricUnit = MetricUnit.Count, **dimensions: str) -> None:
    """One EMF blob now: these metrics (name -> value) with the service dimension and `dimensions`."""
    try:
        blob = EphemeralMetrics(namespace=os.environ.get(NAMESPACE_ENV) or DEFAULT_NAMESPACE, service=SERVICE)
        for name, value in dimensions.items():
            blob.add_dimension(name=name, value=value)
        for name, value in values.items():
            blob.add_metric(name=name, unit=unit, value=value)
        if values:
            blob.flush_metrics()
    except Exception as err:  # noqa: BLE001 - a metric is never worth a failed run
        logger.warning("metric not emitted", extra={"metrics": sorted(values), "error": str(err)})


def start_phases(created_ms: int, launched_ms: int | None, registered_ms: int | None, started_ms: int | None) -> None:
    """The time a run spent in each phase before its command started, in ms: the phases it reached."""
    times = (created_ms, launched_ms, registered_ms, started_ms)
    emit({name: times[i + 1] - times[i] for i, name in enumerate(START_PHASES)
          if times[i] is not None and times[i + 1] is not None}, MetricUnit.Milliseconds)
