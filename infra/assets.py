"""The Lambda code asset: a staged copy of functions/ (+ agent/), so the asset root holds the packages.

`functions.api.handler.lambda_handler` is then both the handler string and the local import path.
No Docker and no bundling: boto3 comes from the runtime, Powertools from the public layer.
"""
import shutil
from pathlib import Path

from aws_cdk import Annotations, Stack, Stage
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra import settings

ROOT = Path(__file__).resolve().parent.parent
_SKIPPED_DIRS = {"__pycache__", "tests", "test"}


def _wanted(path: Path, package_root: Path) -> bool:
    parts = path.relative_to(package_root).parts
    if any(part in _SKIPPED_DIRS or part.startswith(".") for part in parts[:-1]):
        return False
    name = parts[-1]
    return name.endswith(".py") and not (name.startswith("test_") or name == "conftest.py")


def stage_code(destination: Path, source_root: Path = ROOT) -> list[str]:
    """Copy each package's *.py files into destination (emptied first); return the packages staged."""
    shutil.rmtree(destination, ignore_errors=True)
    staged = []
    for package in settings.CODE_PACKAGES:
        package_root = source_root / package
        if not package_root.is_dir():
            continue
        for path in sorted(package_root.rglob("*.py")):
            if _wanted(path, package_root):
                target = destination / path.relative_to(source_root)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
        staged.append(package)
    return staged


def lambda_code(scope: Construct) -> lambda_.Code:
    """One asset per stack, shared by every function (made on first use)."""
    stack = Stack.of(scope)
    cached = getattr(stack, "_skyrepl_lambda_code", None)
    if cached is None:
        destination = Path(Stage.of(stack).outdir) / settings.STAGING_DIR
        missing = set(settings.CODE_PACKAGES) - set(stage_code(destination))
        if "functions" in missing:
            raise FileNotFoundError(f"no functions/ package under {ROOT}")
        if missing:
            Annotations.of(stack).add_warning_v2("skyrepl:missing-package", f"not staged: {sorted(missing)}")
        cached = lambda_.Code.from_asset(str(destination))
        stack._skyrepl_lambda_code = cached
    return cached
