"""One enumeration of the workflow's error names: the classes of functions/core/errors.py. The state
machine matches only those (and Step Functions' own), and the task token is failed only with them."""
import pytest

from functions.aws import stepfunctions
from functions.core import errors
from functions.workflow.definition import definition

NAMES = {cls.__name__ for cls in errors.WORKFLOW_ERRORS}


def error_names(node) -> set:
    if isinstance(node, dict):
        found = set(node.get("ErrorEquals", ()))
        return found.union(*(error_names(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(error_names(v) for v in node)) if node else set()
    return set()


def test_every_error_the_state_machine_matches_is_a_core_error_class():
    ours = {name for name in error_names(definition()) if not name.startswith(("States.", "Lambda."))}
    assert ours and ours <= NAMES


def test_every_workflow_error_is_a_sky_repl_error_named_once():
    assert all(issubclass(cls, errors.SkyReplError) for cls in errors.WORKFLOW_ERRORS)
    assert len(NAMES) == len(errors.WORKFLOW_ERRORS)


def test_a_task_token_cannot_be_failed_with_anything_else():
    with pytest.raises(TypeError, match="not a workflow error"):
        stepfunctions.fail("token", errors.Invalid("spec: bad"))
