"""The app as a whole: app.py runs, the template lints clean and has no cycle, the code asset is right."""
import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from infra_helpers import ROOT, refs_in

from infra.assets import stage_code


def test_app_py_synthesizes_from_the_repo_root(tmp_path):
    env = {**os.environ, "CDK_OUTDIR": str(tmp_path), "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    done = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    template = json.loads((tmp_path / "SkyRepl.template.json").read_text())
    assert "ApiUrl" in template["Outputs"]


def test_cfn_lint_reports_no_errors(synth):
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    command = [str(cfn_lint)] if cfn_lint.exists() else [sys.executable, "-m", "cfnlint"]
    done = subprocess.run([*command, "--format", "parseable", "--ignore-checks", "W3005", "--",
                           str(synth.template_path)], capture_output=True, text=True, timeout=120)
    errors = [line for line in done.stdout.splitlines() if ":E" in line.split(" ")[0] or ":E" in line]
    assert not errors, done.stdout
    assert done.returncode & 3 == 0, done.stdout + done.stderr  # 2 = errors, 1 = fatal; 4/8 = W/I allowed


def test_no_dependency_cycle(synth):
    edges = {lid: refs_in(r.get("Properties", {})) | set(r.get("DependsOn", [])) for lid, r in synth.resources.items()}
    done, active = set(), set()

    def visit(node, path):
        assert node not in active, f"cycle: {' -> '.join(path)}"
        if node in done or node not in edges:
            return
        active.add(node)
        for target in edges[node]:
            visit(target, [*path, target])
        active.discard(node)
        done.add(node)

    for node in edges:
        visit(node, [node])


def _code_asset(synth) -> Path:
    keys = {props["Code"]["S3Key"] for _, props in synth.functions.values()}
    assert len(keys) == 1, keys  # one asset shared by every function
    return synth.outdir / f"asset.{keys.pop().removesuffix('.zip')}"


def test_code_asset_holds_functions_and_agent_python_only(synth):
    asset = _code_asset(synth)
    files = [p.relative_to(asset) for p in asset.rglob("*") if p.is_file()]
    assert Path("functions/__init__.py") in files and (asset / "agent").is_dir()
    assert all(p.suffix == ".py" for p in files)
    assert not [p for p in files if {"tests", "__pycache__"} & set(p.parts)]
    assert set(files) == synth.sources


def test_stage_code_skips_tests_caches_and_non_python(tmp_path):
    source = tmp_path / "src"
    for name in ("functions/__init__.py", "functions/api/handler.py", "functions/tests/test_x.py",
                 "functions/__pycache__/handler.cpython-312.pyc", "functions/api/test_api.py", "functions/data.json",
                 "agent/__main__.py", "agent/conftest.py", "stray/module.py"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text("x = 1\n")
    staged = stage_code(tmp_path / "out", source_root=source)
    files = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert staged == ["functions", "agent"]
    assert files == ["agent/__main__.py", "functions/__init__.py", "functions/api/handler.py"]


def test_infra_imports_only_names_from_functions():
    allowed = {"functions.workflow.definition", "functions.store.schema", "functions.aws.permissions",
               "functions.store.access",  # which DynamoDB actions each function calls: names only
               "functions.tailscale",  # the package's __init__: parameter names only
               "functions.settings"}  # env var names and default timings, above settings()
    ours = ("functions", "agent", "local", "repl")
    imported = set()
    for path in [ROOT / "app.py", *(ROOT / "infra").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name for a in node.names if a.name.split(".")[0] in ours}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ours:
                # `from functions.store import schema` names the module functions.store.schema
                imported |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in allowed else node.module
                             for a in node.names}
    assert imported <= allowed, imported - allowed


def test_every_log_group_expires_after_30_days(synth):
    groups = synth.of_type("AWS::Logs::LogGroup")
    # the functions', the state machine's and the API's access log: no provider framework or log-retention
    # Lambda of CDK's making, with a log group of its own that would keep logs for ever
    assert len(groups) == len(synth.functions) + 2
    assert {g["Properties"].get("RetentionInDays") for g in groups.values()} == {30}
