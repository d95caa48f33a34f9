"""The pool keeper: its size against its lease, and who may invoke it (and which Lambda each may invoke)."""
from infra_helpers import as_list, refs_in

from functions.lifecycle import pool_keeper as keeper
from infra import settings

# function -> the functions it may invoke (functions/aws/lambdas.py): `repl orphan scan` runs the sweeper;
# the API (a pool's create, resize, delete) and Provision (a claim) ask the pool keeper for a keep
INVOKES = {"Api": {"Sweeper", "PoolKeeper"}, "Provision": {"PoolKeeper"}}


def test_the_keeper_times_out_before_its_lease_ends():
    # a keeper that died mid-way holds its pool's lease until LEASE_MS: the next one must find it free
    assert settings.FUNCTION_SIZES["PoolKeeper"].timeout_s * 1000 < keeper.LEASE_MS


def test_each_function_may_invoke_exactly_the_functions_it_calls_and_knows_their_names(synth):
    for key in synth.functions:
        invoke = [s for s in synth.statements(synth.role(key)) if "lambda:InvokeFunction" in as_list(s["Action"])]
        assert all(as_list(s["Action"]) == ["lambda:InvokeFunction"] for s in invoke), key
        # each one unqualified (no `:*` of versions and aliases: there are none)
        assert all(isinstance(s["Resource"], dict) and "Fn::GetAtt" in s["Resource"] for s in invoke), key
        invoked = {k for k, (lid, _) in synth.functions.items() if any(lid in refs_in(s["Resource"]) for s in invoke)}
        assert invoked == INVOKES.get(key, set()), key
        names = {"SWEEPER_FUNCTION_NAME": "Sweeper", "POOL_KEEPER_FUNCTION_NAME": "PoolKeeper"}
        env = synth.env(key)
        assert {names[var] for var in names if var in env} == invoked, key
        for var, target in names.items():
            if var in env:
                assert env[var] == {"Ref": synth.functions[target][0]}, key
