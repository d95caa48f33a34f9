"""Only the tasks that mint auth keys or remove devices may read the Tailscale parameters, and only read."""
import json

from infra_helpers import as_list

from functions import tailscale


def _tailscale_statements(synth, key: str) -> list:
    return [s for s in synth.statements(synth.role(key)) if "/skyrepl/tailscale/" in json.dumps(s["Resource"])]


def test_provision_the_teardowns_and_the_sweeper_may_read_the_tailscale_parameters(synth):
    # the Sweeper: for the teardown of a run its workflow left undone
    assert set(tailscale.READERS) == {"Provision", "Finalize", "Cleanup", "Sweeper"}
    for key in synth.functions:
        found = _tailscale_statements(synth, key)
        if key not in tailscale.READERS:
            assert not found, key
            continue
        (statement,) = found
        assert as_list(statement["Action"]) == ["ssm:GetParameter"], key
        assert statement["Resource"]["Fn::Join"][1][-1].endswith(":parameter/skyrepl/tailscale/*")


def test_no_function_gets_the_api_key_in_its_environment(synth):
    for key in synth.functions:
        assert not [name for name in synth.env(key) if "TAILSCALE" in name], key
