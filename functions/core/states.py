"""Run and instance states, and what each terminal run status means to the CLI."""

PENDING, PROVISIONING, BOOTING, RUNNING = "pending", "provisioning", "booting", "running"
SUCCEEDED, FAILED, TIMED_OUT = "succeeded", "failed", "timed_out"
CANCELLED, INTERRUPTED, ERROR = "cancelled", "interrupted", "error"

ACTIVE_STATUSES = (PENDING, PROVISIONING, BOOTING, RUNNING)
TERMINAL_STATUSES = (SUCCEEDED, FAILED, TIMED_OUT, CANCELLED, INTERRUPTED, ERROR)

# Instance record states. `requested` is written before RunInstances (two-phase spawn); `terminated`
# once EC2 has confirmed it shutting down.
REQUESTED, INST_PENDING, INST_RUNNING, TERMINATED = "requested", "pending", "running", "terminated"
LIVE_EC2_STATES = ("pending", "running", "stopping", "stopped")


def is_terminal(status: str) -> bool:
    return status in TERMINAL_STATUSES


# At its deadline the agent kills the command, then ships the last output and artifacts and reports:
# the workflow's own timeout (StartRun) comes this much later, and the sweeper waits as long.
AGENT_REPORT_GRACE_SECONDS = 15


def status_for_exit(exit_code: int) -> str:
    return SUCCEEDED if exit_code == 0 else FAILED


# `repl run` exit codes for runs that did not end with the command's own exit code
# (docker run's convention: 125 for the runner's own failure, 124 as timeout(1), 130 as Ctrl-C).
EXIT_TIMED_OUT = 124
EXIT_INFRA = 125
EXIT_CANCELLED = 130


def cli_exit_code(status: str, exit_code: int | None) -> int:
    if status in (SUCCEEDED, FAILED) and exit_code is not None:
        return exit_code
    return {TIMED_OUT: EXIT_TIMED_OUT, CANCELLED: EXIT_CANCELLED}.get(status, EXIT_INFRA)
