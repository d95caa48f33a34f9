"""What a stack that stopped with runs in flight left behind, put right at the next start, before the
gateway takes a request: the dead daemon's instance processes (an agent and its command outlive a
kill -9) are killed, and every run it left open is ended `error` with the reason, its instance
recorded gone (its emulated EC2 died with the daemon) and settled. A run whose teardown had not been
confirmed is settled the same way. What the control plane remembers of the old EC2 (each region's
security group and key pair, the images found) is forgotten, to be found or made again; AMI
snapshots are registered again from their records."""
from functions.core import states
from functions.core.snapshots import ARCH_OF_EC2
from functions.core.clock import now_ms
from functions.lifecycle.teardown import record_gone
from functions.store import kv, runs, snapshots
from local import moto_internals
from local.emulator import STACK_MARK, kill_all, marked

STOPPED_REASON = "the embedded stack stopped while it ran"
EC2_ARCH = {ours: theirs for theirs, ours in ARCH_OF_EC2.items()}
EC2_CACHES = ("startup#", "ami#")  # functions/aws/startup.py, amis.py


def recover(control_id: str) -> dict:
    leftovers = marked(STACK_MARK, control_id)
    kill_all(leftovers)
    for prefix in EC2_CACHES:
        kv.delete_prefix(prefix)
    ended = []
    for run in runs.unsettled():
        if not run.ended and runs.finish(run.run_id, states.ERROR, None, STOPPED_REASON, now_ms()):
            ended.append(run.run_id)
        record_gone(runs.get(run.run_id) or run)
        runs.settle(run.run_id)
    images = [s for s in snapshots.every() if s.state == "available"]
    for snapshot in images:
        moto_internals.register_private_image(snapshot.region, snapshot.snapshot_id, snapshot.name,
                                              EC2_ARCH[snapshot.arch])
    return {"processes_killed": len(leftovers), "runs_ended": ended, "images": len(images)}
