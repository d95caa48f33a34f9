"""Choices tried in order (issue 13): the real workflow moves to the next region, type or market at once
when EC2 has no capacity, backs off only once a round is spent, and gives up after MAX_ROUNDS rounds;
every case ends with nothing left running in any region it tried."""
from functions.aws import clients
from functions.core import choices
from tests.workflow.conftest import inject

REGIONS = ("us-east-1", "us-west-2")


def spot(body: dict) -> bool:
    return body.get("InstanceMarketOptions.MarketType") == "spot"


def tried(run) -> list[tuple]:
    return [(a.round, a.region, a.instance_type, a.market, a.outcome) for a in run.attempts]


def finish(stack, run_id: str):
    agent = stack.agent(run_id)
    agent.register()
    agent.wait_event(stack, "start_run")
    agent.exited(0)
    return stack.wait_end(run_id)


def test_no_capacity_in_the_first_region_launches_in_the_second_at_once(stack):
    east = inject(clients.ec2("us-east-1"), "RunInstances", "InsufficientInstanceCapacity", times=100)
    run = stack.create_run(regions=list(REGIONS))
    ended = finish(stack, run.run_id)
    assert ended.status == "succeeded" and ended.region == "us-west-2", (ended.status, ended.reason)
    assert tried(ended) == [(1, "us-east-1", "t3.micro", "on-demand", "capacity"),
                            (1, "us-west-2", "t3.micro", "on-demand", "launched")]
    assert "InsufficientInstanceCapacity" in ended.attempts[0].reason
    assert ended.attempts[1].instance_id == ended.instance_id
    assert east["calls"] == 1  # no back-off on the first region: the second was there
    assert stack.live_instances(REGIONS) == []


def test_auto_tries_spot_in_every_region_and_type_in_order_before_on_demand(stack):
    for region in REGIONS:
        inject(clients.ec2(region), "RunInstances", "InsufficientInstanceCapacity", times=100, when=spot)
    run = stack.create_run(regions=list(REGIONS), spec=None, specs=["t3.micro", "t3.small"], spot_policy="auto")
    assert [(c.region, c.instance_type, c.market) for c in run.options][:2] == [
        ("us-east-1", "t3.micro", "spot"), ("us-east-1", "t3.small", "spot")]
    ended = finish(stack, run.run_id)
    assert ended.status == "succeeded", (ended.status, ended.reason)
    assert tried(ended) == [(1, "us-east-1", "t3.micro", "spot", "capacity"),
                            (1, "us-east-1", "t3.small", "spot", "capacity"),
                            (1, "us-west-2", "t3.micro", "spot", "capacity"),
                            (1, "us-west-2", "t3.small", "spot", "capacity"),
                            (1, "us-east-1", "t3.micro", "on-demand", "launched")]
    # priced as what it runs on: no spot price kept (moto has no price list: on-demand's is unknown here)
    assert not ended.spot and ended.spot_price is None and ended.price_source != "spot"
    assert stack.live_instances(REGIONS) == []


def test_rounds_are_bounded_and_the_end_names_every_choice(stack):
    hooks = [inject(clients.ec2(region), "RunInstances", "InsufficientInstanceCapacity", times=100)
             for region in REGIONS]
    ended = stack.wait_end(stack.create_run(regions=list(REGIONS)).run_id)
    assert ended.status == "error" and f"in {choices.MAX_ROUNDS} rounds" in ended.reason, ended.reason
    assert "us-east-1 t3.micro on-demand" in ended.reason and "us-west-2 t3.micro on-demand" in ended.reason
    assert [(a.round, a.region) for a in ended.attempts] == [
        (r, region) for r in range(1, choices.MAX_ROUNDS + 1) for region in REGIONS]
    assert [h["calls"] for h in hooks] == [choices.MAX_ROUNDS] * 2
    assert stack.live_instances(REGIONS) == []


def test_a_quota_is_told_at_once_and_not_tried_again_while_another_choice_waits_for_capacity(stack):
    inject(clients.ec2("us-east-1"), "RunInstances", "VcpuLimitExceeded", times=100)
    west = inject(clients.ec2("us-west-2"), "RunInstances", "InsufficientInstanceCapacity", times=1)
    ended = finish(stack, stack.create_run(regions=list(REGIONS)).run_id)
    assert ended.status == "succeeded", (ended.status, ended.reason)
    assert tried(ended) == [(1, "us-east-1", "t3.micro", "on-demand", "quota"),
                            (1, "us-west-2", "t3.micro", "on-demand", "capacity"),
                            (2, "us-west-2", "t3.micro", "on-demand", "launched")]
    assert "vCPU quota" in ended.attempts[0].reason and west["calls"] == 2
    assert stack.live_instances(REGIONS) == []


def test_every_choice_refused_ends_the_run_at_once_without_a_back_off(stack):
    hooks = [inject(clients.ec2(region), "RunInstances", code, times=100)
             for region, code in zip(REGIONS, ("VcpuLimitExceeded", "UnauthorizedOperation"))]
    ended = stack.wait_end(stack.create_run(regions=list(REGIONS)).run_id)
    assert ended.status == "error" and "every choice was refused" in ended.reason, ended.reason
    assert [a.outcome for a in ended.attempts] == ["quota", "denied"] and [h["calls"] for h in hooks] == [1, 1]
    assert stack.live_instances(REGIONS) == []


def test_one_choice_keeps_the_seeds_retries_and_message(stack):
    hook = inject(clients.ec2("us-east-1"), "RunInstances", "InsufficientInstanceCapacity", times=100)
    ended = stack.wait_end(stack.create_run().run_id)
    assert ended.status == "error" and "try another instance type or region" in ended.reason
    assert [a.round for a in ended.attempts] == list(range(1, choices.MAX_ROUNDS + 1))
    assert hook["calls"] == choices.MAX_ROUNDS and stack.live_instances() == []
