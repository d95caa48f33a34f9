"""CDK entry: builds the SkyRepl stack and synthesizes it. No AWS calls, no credentials, no Docker.

    python3 app.py                          # -> cdk.out/SkyRepl.template.json
    cdk synth -c control_id=k3j9xa -c stack_name=SkyReplDev
"""
import os
from pathlib import Path

import aws_cdk as cdk

from infra import settings
from infra.stack import SkyReplStack

ROOT = Path(__file__).resolve().parent


def build(outdir: str | None = None, context: dict | None = None) -> tuple[cdk.App, SkyReplStack]:
    # Outside the CDK CLI, cdk.App() would write to a temp dir: pin the output (the CLI sets CDK_OUTDIR).
    app = cdk.App(outdir=outdir or os.environ.get("CDK_OUTDIR") or str(ROOT / "cdk.out"), context=context)
    stack_name = app.node.try_get_context(settings.STACK_NAME_CONTEXT) or settings.STACK_NAME
    return app, SkyReplStack(app, stack_name)


if __name__ == "__main__":
    build()[0].synth()
