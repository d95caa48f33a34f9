"""Synthesize the stack once per session (app.py's own build()) and hand the template to every test."""
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
HERE = Path(__file__).resolve().parent
for path in (str(HERE.parents[1]), str(HERE)):  # the repo root (functions/, infra/) and infra_helpers
    if path not in sys.path:
        sys.path.insert(0, path)

from infra_helpers import Synth, load_app_module, source_files  # noqa: E402


@pytest.fixture(scope="session")
def synth(tmp_path_factory) -> Synth:
    from aws_cdk.assertions import Template

    outdir = tmp_path_factory.mktemp("cdk.out")
    sources = source_files()  # just before staging, so files others add meanwhile don't race the asset test
    app, stack = load_app_module().build(outdir=str(outdir))
    assertions = Template.from_stack(stack)
    app.synth()  # already synthesized by from_stack: this returns the same assembly on disk
    return Synth(outdir, stack, assertions, sources)
