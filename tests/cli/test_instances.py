"""`repl instance list [--all] [--json]`."""
import json

from tests.cli.fake_plane import make_instance

LIVE = make_instance(instance_id="i-0abc", run_id="r1", region="us-east-1", instance_type="t3.micro", spot=True,
                     spot_price=0.0035, state="running", launched_at="2026-11-26T17:00:05.000Z")


def test_list_is_a_table_of_live_instances(repl_main, plane):
    plane.instances = [LIVE]
    result = repl_main("instance", "list", server=plane)
    assert result == (0, "INSTANCE  RUN  STATE    TYPE      REGION     SPOT  PRICE      LAUNCHED\n"
                         "i-0abc    r1   running  t3.micro  us-east-1  yes   $0.0035/h  2026-11-26 17:00:05\n", "")
    assert plane.calls("GET", "/v1/instances")[0]["query"] == {}


def test_all_asks_for_terminated_instances_too(repl_main, plane):
    repl_main("instance", "list", "--all", server=plane)
    assert plane.calls("GET", "/v1/instances")[0]["query"] == {"all": ["true"]}


def test_json_wraps_the_instances(repl_main, plane):
    plane.instances = [LIVE]
    assert json.loads(repl_main("instance", "list", "--json", server=plane).stdout) == {"instances": [LIVE]}
