"""Tags, the Name tag and the launch's client token."""
from functions.core import naming


def test_instance_tags_mark_the_instance_as_ours_with_run_and_deadline():
    assert naming.instance_tags("k3j9xa", "r8k2m9xq1d", "2026-11-26T18:00:00.000Z") == {
        "skyrepl:managed": "true", "skyrepl:control-id": "k3j9xa", "skyrepl:run-id": "r8k2m9xq1d",
        "skyrepl:deadline": "2026-11-26T18:00:00.000Z", "Name": "repl-k3j9xa-r8k2m9xq1d"}


def test_client_token_is_stable_per_run_and_differs_between_runs_and_control_planes():
    token = naming.client_token("k3j9xa", "r1")
    assert token == naming.client_token("k3j9xa", "r1")
    assert len({token, naming.client_token("k3j9xa", "r2"), naming.client_token("zzzzzz", "r1")}) == 3
    assert len(token) <= 64  # EC2's ClientToken limit


def test_generated_ids_have_the_documented_shapes():
    run_id, control_id = naming.new_run_id(), naming.new_control_id()
    assert run_id.startswith("r") and len(run_id) == 10 and run_id.isalnum() and run_id.islower()
    assert len(control_id) == 6 and control_id.isalnum()
    assert naming.new_run_id() != run_id
