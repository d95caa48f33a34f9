"""Who may touch the Tailscale parameters: the tasks that mint auth keys or remove devices read them; the
Api (an administrators' route) writes, reads back and deletes them. Never through an environment variable."""
import json

from infra_helpers import as_list

from functions import tailscale


def _tailscale_statements(synth, key: str) -> list:
    return [s for s in synth.statements(synth.role(key)) if "/skyrepl/tailscale/" in json.dumps(s["Resource"])]


def test_the_readers_may_read_the_tailscale_parameters_and_only_the_api_write_them(synth):
    # the Sweeper: for the teardown of a run its workflow left undone
    # the PoolKeeper: a pool's idle instances join at their launch and leave when retired
    assert set(tailscale.READERS) == {"Provision", "Finalize", "Cleanup", "Sweeper", "PoolKeeper"}
    # the Api: PUT|GET|DELETE /v1/admin/tailscale, what `repl setup` stores
    access = {**{key: ["ssm:GetParameter"] for key in tailscale.READERS},
              "Api": ["ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter"]}
    assert tailscale.WRITER == "Api"
    for key in synth.functions:
        found = _tailscale_statements(synth, key)
        if key not in access:
            assert not found, key
            continue
        (statement,) = found
        assert as_list(statement["Action"]) == access[key], key
        # the two parameters by name, not the prefix's every name
        names = [arn["Fn::Join"][1][-1] for arn in as_list(statement["Resource"])]
        assert names == [f":parameter{tailscale.API_KEY_PARAMETER}", f":parameter{tailscale.TAILNET_PARAMETER}"], key


def test_no_function_gets_the_api_key_in_its_environment(synth):
    for key in synth.functions:
        assert not [name for name in synth.env(key) if "TAILSCALE" in name], key
