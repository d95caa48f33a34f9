"""The deployed state machine is exactly functions/workflow/definition.py, wired to the right Lambdas."""
import json

from infra_helpers import refs_in

from functions.workflow.definition import TASK_HANDLERS, definition_json, placeholder


def _state_machine(synth) -> dict:
    (machine,) = synth.of_type("AWS::StepFunctions::StateMachine").values()
    return machine["Properties"]


def _definition_text(synth) -> str:
    """The definition with every task ARN put back as its `${<Task>FunctionArn}` placeholder."""
    props = _state_machine(synth)
    task_of = {synth.functions[task][0]: task for task in TASK_HANDLERS}
    body = props["DefinitionString"]
    if isinstance(body, dict):  # Fn::Join form: strings plus Fn::GetAtt of the functions
        body = "".join(p if isinstance(p, str) else placeholder(task_of[p["Fn::GetAtt"][0]])
                       for p in body["Fn::Join"][1])
    for name, value in props.get("DefinitionSubstitutions", {}).items():  # DefinitionSubstitutions form
        (target,) = refs_in(value)
        assert value == {"Fn::GetAtt": [target, "Arn"]} and name == f"{task_of[target]}FunctionArn"
    return body


def test_synthesized_definition_is_the_asl_definition(synth):
    assert json.loads(_definition_text(synth)) == json.loads(definition_json())


def test_every_placeholder_is_substituted_with_its_task_function(synth):
    subs = _state_machine(synth)["DefinitionSubstitutions"]
    expected = {f"{task}FunctionArn": {"Fn::GetAtt": [synth.functions[task][0], "Arn"]} for task in TASK_HANDLERS}
    assert subs == expected


def test_state_machine_is_standard_logged_and_traced(synth):
    props = _state_machine(synth)
    assert props["StateMachineType"] == "STANDARD"
    assert props["TracingConfiguration"] == {"Enabled": True}
    assert props["LoggingConfiguration"]["Level"] == "ALL"
    assert props["LoggingConfiguration"]["IncludeExecutionData"] is False
    (log_group_id,) = refs_in(props["LoggingConfiguration"]["Destinations"])
    assert synth.resources[log_group_id]["Properties"]["RetentionInDays"] == 30


def test_state_machine_may_invoke_exactly_the_task_functions(synth):
    role = refs_in(_state_machine(synth)["RoleArn"]).pop()
    invoke = [s for s in synth.statements(role) if s["Action"] == "lambda:InvokeFunction"]
    invoked = set().union(*(refs_in(s["Resource"]) for s in invoke))
    assert invoked == {synth.functions[task][0] for task in TASK_HANDLERS}
    assert not {a for a in synth.actions(role) if a.startswith(("ec2:", "sts:", "dynamodb:"))}


def test_api_functions_get_the_state_machine_and_only_their_calls(synth):
    machine_id = next(iter(synth.of_type("AWS::StepFunctions::StateMachine")))
    # the Api and the Sweeper also look whether a run's execution still runs (DescribeExecution)
    # the tasks that may end their own wait: DispatchRun (a report or a cancel first), KeepInstance (a release)
    expected = {"Api": {"states:StartExecution", "states:SendTaskFailure", "states:SendTaskSuccess",
                        "states:DescribeExecution"},
                "AgentApi": {"states:SendTaskSuccess", "states:SendTaskHeartbeat", "states:SendTaskFailure"},
                "Sweeper": {"states:SendTaskFailure", "states:SendTaskSuccess", "states:DescribeExecution"},
                "DispatchRun": {"states:SendTaskSuccess", "states:SendTaskFailure"},
                "KeepInstance": {"states:SendTaskSuccess"}}
    starts_or_ends_runs = {"Api", "AgentApi"}  # the Sweeper needs only the token, never the ARN
    for key, fn in synth.functions.items():
        states = {a for a in synth.actions(synth.role(key)) if a.startswith("states:")}
        assert states == expected.get(key, set()), key
        assert ("STATE_MACHINE_ARN" in fn[1]["Environment"]["Variables"]) == (key in starts_or_ends_runs), key
    for key in starts_or_ends_runs:
        assert synth.env(key)["STATE_MACHINE_ARN"] == {"Ref": machine_id}
