"""The fault-injection matrix: each phase of a run × each fault that can strike in it.

Every case drives the real ASL in moto's interpreter (waits fast-forwarded) with a scripted agent,
injects one fault, waits for the execution to end, runs one sweep, and asserts the promise: no
instance of ours pending or running, the run in a terminal state with a reason (or, if its record
was deleted, its instances terminated by tag), and the logs written before the fault still there.
The sweep must find nothing to do: the workflow cleans up after itself, the sweeper is the backstop.

Faults: a task Lambda failing once (a transient Lambda error, retried) or always (a crashing
handler, caught); the agent crashing, never registering, going silent; a capacity error;
TerminateInstances answering NotFound for a live instance; the run's record deleted; the control
plane restarted (every function cold: settings, clients and caches dropped; on AWS all state lives
in DynamoDB and Step Functions, which is what a restart of the embedded stack cannot keep).

Then the faults the workflow cannot repair, which the sweeper's reconcile does (issue 10, "every run
ends"): a region out of reach (Provision and Cleanup both refused), Cleanup itself crashing, the
execution stopped from outside in each phase, and a record that outlives its execution. Each ends
the same way once swept. (An unknown region never gets this far: it is refused at create, below.
The embedded daemon killed mid-run is tests/e2e/test_restart.py: it needs the stack as a process.)
"""
import boto3
import pytest

from functions.api import runs as service
from functions.aws import clients
from functions.core.errors import Invalid
from functions.lifecycle import reconcile
from functions.store import logs, runs, tables
from functions.sweeper import sweep as sweeper
from local import dispatch
from tests.workflow.conftest import OWNER, inject, reset_clients

PHASE_TASK = {"provision": "Provision", "boot": "CheckRegistration", "start": "StartRun",
              "running": "DispatchRun", "kept": "KeepInstance", "finalize": "Finalize"}
KEEP_ALIVE_MS = 2_000  # the kept phase's runs (--keep-alive): the Kept state's timeout is real seconds
BEFORE_FAULT = "written before the fault\n"
ENDED = "the run ended"  # what the agent's waits return when there is nothing left to wait for

# (phase, fault) -> expected terminal status; None: the record is gone, so there is no status.
CASES = {
    **{(phase, "task fails once"): "succeeded" for phase in PHASE_TASK},
    **{(phase, "task fails always"): "error" for phase in ("provision", "boot", "start", "running")},
    ("finalize", "task fails always"): "succeeded",  # the command had succeeded: Cleanup keeps its report
    ("kept", "task fails always"): "succeeded",  # ...as when the instance is kept after it
    ("kept", "agent crashes"): "succeeded",  # after its report: the keep runs out, Finalize terminates
    ("kept", "TerminateInstances NotFound"): "succeeded",
    **{(phase, "agent crashes"): "error" for phase in ("boot", "start", "running")},
    ("finalize", "agent crashes"): "succeeded",  # after its report: nothing left for it to do
    ("boot", "agent never registers"): "error",
    ("running", "agent goes silent"): "error",
    ("provision", "capacity error"): "error",
    # the paths of several choices (issue 13): the next region, or on-demand, at once
    ("provision", "no capacity in the first region"): "succeeded",
    ("provision", "no spot capacity"): "succeeded",
    ("boot", "TerminateInstances NotFound"): "error",
    ("finalize", "TerminateInstances NotFound"): "succeeded",
    **{(phase, "record deleted"): None for phase in PHASE_TASK},
    **{(phase, "control plane restarted"): "succeeded" for phase in PHASE_TASK},
    ("boot", "register reply lost"): "succeeded",  # registered again: the same command, claimed once
    ("running", "log request lost"): "succeeded",  # the batch resent with its seq: stored once
}
LOST_ANSWERS = ("register reply lost", "log request lost")  # the agent's side: nothing to set up
REGIONS = ("us-east-1", "us-west-2")  # every case looks for instances left in both
CHOICES = {"no capacity in the first region": {"regions": list(REGIONS)}, "no spot capacity": {"spot_policy": "auto"}}


def agent_stop(phase: str, fault: str) -> str | None:
    """Where the scripted agent stops for this case; None runs it to `exited 0`."""
    if fault == "agent never registers" or (phase, fault) == ("boot", "TerminateInstances NotFound"):
        return "before registering"  # the boot times out: Cleanup terminates, and hears NotFound first
    if fault == "agent goes silent":
        return "after logs"
    if fault == "agent crashes":
        return {"boot": "after registering", "start": "after start_run", "running": "after logs"}.get(phase)
    return None


class Faults:
    """Faults keyed on the workflow's tasks, through the in-process Lambda dispatcher."""

    def __init__(self, monkeypatch):
        self.failing, self.on_entry, self.entered = {}, {}, set()
        self.injected = []  # the `inject` counters of AWS errors: each must have been served
        original = dispatch.call

        def call(name: str, payload: dict):
            if name not in self.entered:
                self.entered.add(name)
                for action in self.on_entry.pop(name, []):
                    action()
            mode = self.failing.get(name)
            if mode == "once":
                del self.failing[name]
                return None, ("Lambda.ServiceException", "injected: Lambda was briefly unavailable", "")
            if mode == "always":
                return None, ("RuntimeError", "injected: the handler crashed", "")
            if mode == "lost once":  # it did its work, then its answer was lost: retried as a transient error
                del self.failing[name]
                original(name, payload)
                return None, ("Lambda.ServiceException", "injected: the answer was lost", "")
            return original(name, payload)

        monkeypatch.setattr(dispatch, "call", call)

    def at(self, task: str, action) -> None:
        self.on_entry.setdefault(task, []).append(action)

    def all_struck(self) -> bool:
        """Every fault set up did happen: a case whose fault never fired would prove nothing."""
        return (not self.on_entry and all(task in self.entered and mode == "always"
                                          for task, mode in self.failing.items())
                and all(hook["calls"] > 0 for hook in self.injected))


def restart_control_plane() -> None:
    reset_clients()  # settings, clients, resources and their session: what a cold Lambda starts without


def setup_fault(stack, faults: Faults, phase: str, fault: str, run_box: dict) -> None:
    """run_box["run"]: the run, once created (a fault set up now strikes after that)."""
    task = PHASE_TASK[phase]
    ec2 = clients.ec2("us-east-1")
    if fault == "task fails once":
        faults.failing[task] = "once"
    elif fault == "task fails always":
        faults.failing[task] = "always"
    elif fault == "capacity error":
        faults.injected.append(inject(ec2, "RunInstances", "InsufficientInstanceCapacity", times=100))
    elif fault == "no capacity in the first region":
        faults.injected.append(inject(ec2, "RunInstances", "InsufficientInstanceCapacity", times=100))
    elif fault == "no spot capacity":
        faults.injected.append(inject(ec2, "RunInstances", "InsufficientInstanceCapacity", times=100,
                                      when=lambda body: body.get("InstanceMarketOptions.MarketType") == "spot"))
    elif fault == "TerminateInstances NotFound":
        faults.at("Cleanup" if phase == "boot" else task, lambda: faults.injected.append(inject(
            clients.ec2("us-east-1"), "TerminateInstances", "InvalidInstanceID.NotFound", times=1)))
    elif fault == "record deleted":
        faults.at(task, lambda: tables.runs().delete_item(Key={"run_id": run_box["run"].run_id}))
    elif fault == "control plane restarted":
        faults.at(task, restart_control_plane)
    # the agent's own faults (crashing, silent, never registering, lost answers): drive_agent plays them


def drive_agent(stack, run_id: str, stop: str | None, fault: str = "") -> bool:
    """The instance's agent, scripted; True once it has written its log line."""
    agent = stack.wait_for(lambda: _launched(stack, run_id), what="a launch or the run's end")
    if agent is ENDED or stop == "before registering":
        return False
    agent.register()
    if fault == "register reply lost":  # the answer never reached the agent: it registers again
        first, agent.start = agent.start, None
        agent.register()
        assert agent.start == first and agent.start is not None
    if stop == "after registering" or stack.wait_for(lambda: _started(agent, run_id), what="start_run") is ENDED:
        return False
    if stop == "after start_run":
        return False
    batch = {"run_id": run_id, "seq": 1, "entries": [{"stream": "stdout", "data": BEFORE_FAULT}]}
    for _ in range(2 if fault == "log request lost" else 1):  # a lost answer: the same batch again
        status, body = agent.call("POST", "/v1/agent/logs", batch)
        assert status == 200, body
    if stop == "after logs":
        return True
    agent.exited(0)
    return True


def _launched(stack, run_id: str):
    run = runs.get(run_id)  # read once: the record may be deleted (a fault) at any moment
    if run is None or run.ended:
        return ENDED
    return stack.agent_of(run) if run.instance_id else None


def _started(agent, run_id: str):
    """The agent has its command (from its registration, or the workflow's event) and the workflow
    waits on it (the run holds AwaitCompletion's token): the agent goes on only then."""
    run = runs.get(run_id)
    if run is None or run.ended:
        return ENDED
    if not agent.start:
        _status, body = agent.call("GET", "/v1/agent/events", headers={"Last-Event-ID": str(agent.last_event)})
        agent.start = "event: start_run" in body
    return (agent.start and run.task_token is not None) or None


def _ended(run_id: str) -> bool:
    run = runs.get(run_id)
    return run is None or run.ended


@pytest.mark.parametrize("phase, fault", list(CASES), ids=[f"{p}-{f.replace(' ', '_')}" for p, f in CASES])
def test_every_fault_in_every_phase_ends_with_nothing_left_running(stack, monkeypatch, phase, fault):
    monkeypatch.setattr(sweeper, "LAUNCH_GRACE_MS", 0)  # the sweep after the grace: time fast-forwarded
    faults, run_box = Faults(monkeypatch), {}
    setup_fault(stack, faults, phase, fault, run_box)
    run_box["run"] = stack.create_run(**({"keep_alive_ms": KEEP_ALIVE_MS} if phase == "kept" else {}),
                                      **CHOICES.get(fault, {}))
    run_id = run_box["run"].run_id
    wrote_logs = drive_agent(stack, run_id, agent_stop(phase, fault), fault)
    sfn = boto3.client("stepfunctions")
    arn = run_box["run"].execution_arn
    stack.wait_for(lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING",
                   timeout=30, what="the execution to end")

    assert faults.all_struck(), (faults.on_entry, faults.failing, faults.injected)
    swept = sweeper.sweep()
    assert swept["terminated"] == [] and swept["orphan_ids"] == [], "the workflow left the sweeper work to do"
    assert stack.live_instances(REGIONS) == []
    run = runs.get(run_id)
    if fault in CHOICES:  # it ran on the second choice
        assert [a.outcome for a in run.attempts] == ["capacity", "launched"] and run.attempts[1].choice == 1
    if CASES[(phase, fault)] is None:
        assert run is None
    else:
        assert (run.status, bool(run.reason)) == (CASES[(phase, fault)], True), run.reason
    batches, _ = logs.read(run_id, 0)
    assert [e.data for b in batches for e in b.entries] == ([BEFORE_FAULT] if wrote_logs else [])


def test_the_matrix_covers_every_phase_and_every_fault():
    assert {phase for phase, _ in CASES} == set(PHASE_TASK)
    assert {fault for _, fault in CASES} == {
        "task fails once", "task fails always", "agent crashes", "agent never registers", "agent goes silent",
        "capacity error", "TerminateInstances NotFound", "record deleted", "control plane restarted",
        *LOST_ANSWERS, *CHOICES}


# (phase, fault) -> the terminal status once swept, and what the reason says
RECONCILED = {
    ("provision", "region out of reach"): ("error", "the sweeper keeps trying"),
    ("running", "Cleanup fails always"): ("error", "the run's workflow ended (failed) without ending it"),
    # moto honours a stop at the execution's next transition (AWS at once): a task waiting on the agent
    # may end first by its heartbeat, so the status the reason quotes is moto's to choose
    **{(phase, "execution stopped from outside"): ("error", "the run's workflow ended (")
       for phase in ("boot", "start", "running")},
    ("running", "record outlives its execution"): ("error", "the run's workflow execution no longer exists"),
}
OUT_OF_REACH = ("RunInstances", "DescribeInstances")  # Cleanup looks before it terminates
RECONCILE_STOP = {"boot": "before registering", "start": "after registering", "running": "after logs"}


@pytest.mark.parametrize("phase, fault", list(RECONCILED), ids=[f"{p}-{f.replace(' ', '_')}" for p, f in RECONCILED])
def test_what_the_workflow_cannot_repair_the_sweeper_does(stack, monkeypatch, phase, fault):
    monkeypatch.setattr(sweeper, "LAUNCH_GRACE_MS", 0)
    monkeypatch.setattr(reconcile, "START_GRACE_MS", 0)
    faults, sfn, ec2 = Faults(monkeypatch), boto3.client("stepfunctions"), clients.ec2("us-east-1")
    if fault == "region out of reach":  # an opt-in region not enabled: every EC2 call refused
        faults.injected += [inject(ec2, op, "OptInRequired", times=10_000) for op in OUT_OF_REACH]
    if fault == "Cleanup fails always":
        faults.failing["Cleanup"] = "always"
    run = stack.create_run()
    wrote_logs = drive_agent(stack, run.run_id, RECONCILE_STOP.get(phase))
    if fault in ("execution stopped from outside", "record outlives its execution"):
        if phase == "boot":
            stack.wait_for(lambda: runs.get(run.run_id).instance_id, what="the launch")
        sfn.stop_execution(executionArn=run.execution_arn, error="Operator", cause="stopped from the console")
    if fault == "record outlives its execution":  # its history expired: Step Functions has no such execution
        runs.update(run.run_id, execution_arn=run.execution_arn.replace(run.run_id, "expired-" + run.run_id))
    stack.wait_for(lambda: sfn.describe_execution(executionArn=run.execution_arn)["status"] != "RUNNING",
                   timeout=30, what="the execution to end")
    assert faults.all_struck(), (faults.on_entry, faults.failing, faults.injected)
    assert runs.get(run.run_id).run_id in {r.run_id for r in runs.unsettled()}  # the workflow did not settle it

    for hook in faults.injected:
        hook["n"] = 0  # the region is reachable again (the sweeper tries at every sweep until it is)
    sweeper.sweep()
    ended = runs.get(run.run_id)
    status, reason = RECONCILED[(phase, fault)]
    assert (ended.status, ended.terminated_ms is not None) == (status, True) and reason in ended.reason, ended.reason
    assert stack.live_instances() == []
    assert run.run_id not in {r.run_id for r in runs.unsettled()}
    swept = sweeper.sweep()
    assert swept["terminated"] == [] and swept["reconciled"] == []  # settled: nothing left for the next one
    batches, _ = logs.read(run.run_id, 0)
    assert [e.data for b in batches for e in b.entries] == ([BEFORE_FAULT] if wrote_logs else [])


def test_an_unknown_region_is_refused_at_create_and_nothing_starts(stack):
    with pytest.raises(Invalid) as err:
        service.create_run(OWNER, {"spec": "t3.micro", "command": "echo x", "region": "us-est-1"})
    assert err.value.message.startswith("region: 'us-est-1' is not") and "us-east-1" in err.value.message
    assert runs.unsettled() == [] and stack.live_instances() == []
    assert boto3.client("stepfunctions").list_executions(
        stateMachineArn=tables_state_machine())["executions"] == []


def tables_state_machine() -> str:
    import os
    return os.environ["STATE_MACHINE_ARN"]
