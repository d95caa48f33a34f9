"""Reading a synthesized template as data: which function is which, who may do what."""
import importlib.util
from functools import cached_property
from pathlib import Path

from functions.workflow.definition import TASK_HANDLERS

ROOT = Path(__file__).resolve().parents[2]

# What the brief asks for, written out here rather than imported from infra/.
EXPECTED_HANDLERS = {
    "Api": "functions.api.handler.lambda_handler",
    "AgentApi": "functions.agent_api.handler.lambda_handler",
    **TASK_HANDLERS,
    "Sweeper": "functions.sweeper.handler.handler",
    "Startup": "functions.startup.handler.handler",
    "PoolKeeper": "functions.pools.handler.handler",
}


def load_app_module():
    spec = importlib.util.spec_from_file_location("skyrepl_cdk_app", ROOT / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def source_files() -> set[Path]:
    """The files the code asset should hold: *.py of functions/ and agent/, without tests and caches."""
    found = {p.relative_to(ROOT) for pkg in ("functions", "agent") for p in (ROOT / pkg).rglob("*.py")}
    return {p for p in found if not {"__pycache__", "tests", "test"} & set(p.parts)
            and not p.name.startswith("test_") and p.name != "conftest.py"}


def refs_in(value) -> set[str]:
    """Logical ids a template value points at (Ref / Fn::GetAtt), pseudo parameters left out."""
    if isinstance(value, dict):
        if "Ref" in value and not str(value["Ref"]).startswith("AWS::"):
            return {value["Ref"]}
        if "Fn::GetAtt" in value:
            return {value["Fn::GetAtt"][0]}
        return set().union(*(refs_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(refs_in(v) for v in value)) if value else set()
    return set()


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


class Synth:
    def __init__(self, outdir: Path, stack, assertions, sources: set[Path]) -> None:
        self.outdir, self.stack, self.assertions, self.sources = outdir, stack, assertions, sources
        self.template = assertions.to_json()
        self.resources = self.template["Resources"]
        self.template_path = outdir / f"{stack.stack_name}.template.json"

    def of_type(self, cfn_type: str) -> dict[str, dict]:
        return {lid: r for lid, r in self.resources.items() if r["Type"] == cfn_type}

    @cached_property
    def functions(self) -> dict[str, tuple[str, dict]]:
        """function key ("Api", "Provision", ...) -> (logical id, Properties)."""
        by_handler = {handler: key for key, handler in EXPECTED_HANDLERS.items()}
        return {by_handler[r["Properties"]["Handler"]]: (lid, r["Properties"])
                for lid, r in self.of_type("AWS::Lambda::Function").items()}

    def env(self, key: str) -> dict:
        return self.functions[key][1]["Environment"]["Variables"]

    def role(self, key: str) -> str:
        return self.functions[key][1]["Role"]["Fn::GetAtt"][0]

    def statements(self, role_id: str) -> list[dict]:
        return [s for p in self.of_type("AWS::IAM::Policy").values() if {"Ref": role_id} in p["Properties"]["Roles"]
                for s in p["Properties"]["PolicyDocument"]["Statement"]]

    def actions(self, role_id: str) -> set[str]:
        return {a for s in self.statements(role_id) for a in as_list(s["Action"])}
