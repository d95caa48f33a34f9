"""A pool's instances on the tailnet as a run's are (README "With Tailscale"): each joins at its boot as
repl-<instance key>, keeps that name when a run claims it, and leaves the tailnet whenever it is retired
(an idle timeout, a resize, a delete) or swept; against a local Tailscale API."""
import base64

import boto3

from functions.lifecycle import pool_claims as claims, pool_keeper as keeper
from functions.store import instances, pools, runs
from functions.sweeper import sweep as sweeper
from tests.functions.tailscale_fake import API_KEY  # noqa: F401
from tests.functions.tailscale_fake import tailscale_api  # noqa: F401 - fixture
from tests.functions.test_pools import REGION, cloud, make_pool  # noqa: F401 - fixture
from tests.functions.test_sweeper_tailscale import device, tailnet  # noqa: F401 - fixture
from tests.records import make_run


def user_data(instance_id: str) -> str:
    found = boto3.client("ec2", region_name=REGION).describe_instance_attribute(InstanceId=instance_id,
                                                                                Attribute="userData")
    return base64.b64decode(found["UserData"]["Value"]).decode()


def kept(spot: bool = False) -> list:
    pool = make_pool(size=1, spot=spot)
    pools.create(pool)
    keeper.keep(pool)
    return [m for m in instances.pool_members(pool.pool_id) if m.instance_id]


def test_an_idle_pool_instance_joins_as_repl_instance_key_with_the_key_in_its_user_data_only(tailnet):
    (member,) = kept()
    (key,) = tailnet.keys
    name = f"repl-{member.instance_key}"
    assert member.tailscale_hostname == name
    assert f"--hostname={name} --ssh" in user_data(member.instance_id)
    assert key in user_data(member.instance_id) and key not in repr(instances.get(member.instance_key))


def test_a_spot_pools_instance_joins_too(tailnet):
    (member,) = kept(spot=True)
    assert member.tailscale_hostname == f"repl-{member.instance_key}" and len(tailnet.keys) == 1


def test_a_retired_idle_instance_leaves_the_tailnet_and_no_other_device_does(tailnet):
    (member,) = kept()
    tailnet.devices = [device("nIDLE", member.tailscale_hostname), device("nMINE", "laptop")]
    keeper.delete(pools.get("o", "cpu"))
    assert [d["nodeId"] for d in tailnet.devices] == ["nMINE"]
    assert instances.get(member.instance_key).state == "terminated"


def test_a_claimed_instance_keeps_its_name_for_the_run_and_the_sweeper_removes_that_device(tailnet):
    (member,) = kept()
    run = make_run("rwarm", owner="o", deadline_ms=1)  # past its deadline: the sweeper's to end
    runs.create(run)
    claimed = claims.claim(run, pools.get("o", "cpu"))
    assert claimed.tailscale_hostname == f"repl-{member.instance_key}"
    runs.update("rwarm", instance_key=member.instance_key, status="running")
    tailnet.devices = [device("nWARM", claimed.tailscale_hostname), device("nRUN", "repl-rwarm")]
    assert [t["instance_id"] for t in sweeper.sweep()["terminated"]] == [member.instance_id]
    assert [d["nodeId"] for d in tailnet.devices] == ["nRUN"]


def test_without_tailscale_a_pool_calls_no_tailscale_api(cloud, tailscale_api, monkeypatch):  # noqa: F811
    monkeypatch.setenv("TAILSCALE_API_URL", tailscale_api.api_url)
    (member,) = kept()
    keeper.delete(pools.get("o", "cpu"))
    assert member.tailscale_hostname is None and tailscale_api.seen == []


def test_a_resize_to_zero_removes_every_retired_device_in_one_listing(tailnet):
    pool = make_pool(size=2)
    pools.create(pool)
    keeper.keep(pool)
    members = [m for m in instances.pool_members(pool.pool_id) if m.instance_id]
    tailnet.devices = [device(f"n{i}", m.tailscale_hostname) for i, m in enumerate(members)]
    keeper.keep(pools.update(pools.get("o", "cpu"), size=0))
    assert tailnet.devices == []
    assert [c for c in tailnet.calls() if c[0] == "GET"] == [("GET", "/api/v2/tailnet/example.com/devices")]


def test_an_idle_instance_the_sweeper_retires_leaves_the_tailnet(tailnet, monkeypatch):
    (member,) = kept()
    tailnet.devices = [device("nIDLE", member.tailscale_hostname)]
    monkeypatch.setattr(sweeper, "pool_verdict", lambda found, m, now: "past its idle expiry")
    assert [t["instance_id"] for t in sweeper.sweep()["terminated"]] == [member.instance_id]
    assert tailnet.devices == []
