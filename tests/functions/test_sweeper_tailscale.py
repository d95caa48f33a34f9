"""What the sweeper terminates leaves the tailnet (as Finalize and Cleanup do it), against a local Tailscale API:
one device listing per sweep, after every termination, and a Tailscale outage fails nothing."""
import logging

import boto3
import pytest

from functions.core import naming
from functions.lifecycle import teardown
from functions.store import instances, runs
from functions.sweeper import sweep as sweeper
from functions.tailscale import API_KEY_PARAMETER, TAILNET_PARAMETER, client, config
from tests.functions.tailscale_fake import API_KEY, TAILNET, tailscale_api  # noqa: F401 - fixture
from tests.functions.test_sweeper import GONE, PAST, cloud, launch, state  # noqa: F401 - fixture
from tests.records import make_instance, make_run


@pytest.fixture
def tailnet(cloud, tailscale_api, monkeypatch):  # noqa: F811
    monkeypatch.setenv("TAILSCALE_API_URL", tailscale_api.api_url)
    monkeypatch.setattr(client, "RETRY_DELAYS", (0, 0, 0))
    boto3.client("ssm").put_parameter(Name=API_KEY_PARAMETER, Value=API_KEY, Type="SecureString")
    boto3.client("ssm").put_parameter(Name=TAILNET_PARAMETER, Value=TAILNET, Type="String")
    config.reset()
    yield tailscale_api
    config.reset()


@pytest.fixture
def logged():
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(f"{record.getMessage()} {record.__dict__}")
    logging.getLogger("skyrepl").addHandler(handler)
    yield lines
    logging.getLogger("skyrepl").removeHandler(handler)


def joined_run(run_id: str, status: str = "running") -> None:
    """A run whose instance joined the tailnet as Provision has it join: repl-<run-id>."""
    key = "k" + naming.new_id(15)
    instances.create(make_instance(key, run_id=run_id, owner="o", state="running",
                                   tailscale_hostname=f"repl-{run_id}"))
    runs.create(make_run(run_id, owner="o", status=status, instance_key=key))


def device(node_id: str, host: str) -> dict:
    return {"id": node_id, "nodeId": node_id, "hostname": host, "name": f"{host}.tail0.ts.net"}


def test_the_device_of_what_the_sweeper_terminates_is_removed_and_no_other(tailnet, monkeypatch):
    monkeypatch.setattr(sweeper, "LAUNCH_GRACE_MS", 0)
    joined_run("rlate"), joined_run("rended", "succeeded"), joined_run("rlive")
    late, ended, live = launch("rlate", deadline=PAST), launch("rended"), launch("rlive")
    tailnet.devices = [device("nLATE", "repl-rlate"), device("nENDED", "repl-rended"),
                       device("nLIVE", "repl-rlive"), device("nMINE", "laptop")]
    assert sorted(t["instance_id"] for t in sweeper.sweep()["terminated"]) == sorted([late, ended])
    assert [d["nodeId"] for d in tailnet.devices] == ["nLIVE", "nMINE"]
    listings = [c for c in tailnet.calls() if c[0] == "GET"]
    assert listings == [("GET", "/api/v2/tailnet/example.com/devices")]  # one for the whole sweep
    assert state(live) == "running" and all(state(i) in GONE for i in (late, ended))


def test_an_orphans_device_is_removed_by_the_name_its_run_id_tag_gives(tailnet):
    orphan = launch("rgone", deadline=PAST)  # no run record: named by its skyrepl:run-id tag
    tailnet.devices = [device("nGONE", "repl-rgone"), device("nNEAR", "repl-rgone2")]
    assert [t["instance_id"] for t in sweeper.sweep()["terminated"]] == [orphan]
    assert [d["nodeId"] for d in tailnet.devices] == ["nNEAR"]


def test_a_tailscale_outage_fails_no_sweep_and_costs_one_listings_retries(tailnet, logged):
    joined_run("ra"), joined_run("rb")
    first, second = launch("ra", deadline=PAST), launch("rb", deadline=PAST)
    tailnet.fail = [500] * 8
    result = sweeper.sweep()
    assert sorted(t["instance_id"] for t in result["terminated"]) == sorted([first, second])
    assert state(first) in GONE and state(second) in GONE
    assert len(tailnet.seen) == 4  # one listing, tried 4 times, then given up for this sweep
    warnings = [line for line in logged if "could not remove the Tailscale device" in line]
    assert warnings and "repl-ra" in warnings[0] and API_KEY not in "".join(logged)


def test_a_device_already_gone_does_not_stop_the_others(tailnet):
    joined_run("ra"), joined_run("rb")
    launch("ra", deadline=PAST), launch("rb", deadline=PAST)
    tailnet.devices = [device("nA", "repl-ra"), device("nB", "repl-rb")]
    tailnet.left = {"nA"}  # listed, but removed meanwhile (by the run's own Cleanup): its DELETE answers 404
    sweeper.sweep()
    assert {"nA", "nB"} <= {path.rsplit("/", 1)[1] for method, path in tailnet.calls() if method == "DELETE"}
    assert [d["nodeId"] for d in tailnet.devices] == ["nA"]


def test_without_tailscale_the_sweeper_calls_no_tailscale_api(cloud, tailscale_api, monkeypatch):  # noqa: F811
    monkeypatch.setenv("TAILSCALE_API_URL", tailscale_api.api_url)
    config.reset()
    launch("rgone", deadline=PAST)
    assert len(sweeper.sweep()["terminated"]) == 1
    assert tailscale_api.seen == []


def test_cleanup_without_the_run_record_removes_the_device_too(tailnet):
    instance_id = launch("rlost")  # its record was deleted: Cleanup terminates by tag
    tailnet.devices = [device("nLOST", "repl-rlost")]
    assert teardown.terminate_by_tag("rlost") == [instance_id]
    assert tailnet.devices == [] and state(instance_id) in GONE
