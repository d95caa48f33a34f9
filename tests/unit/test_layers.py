"""The checkout keeps DESIGN.md §2's dependency rules, and the checker catches each kind of breach."""
from pathlib import Path

import pytest

from tests.unit.layers import violations

ROOT = Path(__file__).resolve().parents[2]


def test_the_checkout_keeps_every_dependency_rule():
    assert violations(ROOT) == []


def plant(root: Path, files: dict) -> Path:
    """A minimal tree of the product's shape, plus the planted files."""
    base = {"functions/__init__.py": "", "functions/core/__init__.py": "", "functions/core/ok.py": "import json\n",
            "functions/store/__init__.py": "", "functions/aws/__init__.py": "", "functions/aws/clients.py":
            "import boto3\nS = boto3.session.Session()\n", "functions/api/__init__.py": "",
            "functions/api/runs.py": "from functions.store import runs\n", "functions/store/runs.py": "import boto3\n",
            "functions/api/routes/__init__.py": "", "functions/workflow/__init__.py": "", "agent/__init__.py": "",
            "infra/__init__.py": "", "local/__init__.py": "", "repl/__init__.py": "", "functions/settings.py": ""}
    for name, text in {**base, **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_a_minimal_tree_without_breaches_passes(tmp_path):
    assert violations(plant(tmp_path, {})) == []


@pytest.mark.parametrize("files, expected", [
    ({"functions/core/bad.py": "import boto3\n"}, "functions/core/bad.py:1: imports boto3 — pure domain"),
    ({"functions/core/bad.py": "import os\nX = os.environ['A']\n"}, "functions/core/bad.py:2: reads the environment"),
    ({"functions/core/bad.py": "from functions.store import runs\n"},
     "functions/core/bad.py:1: imports functions.store.runs — the core layer may import only core"),
    ({"functions/store/bad.py": "from functions.api import runs\n"},
     "functions/store/bad.py:1: imports functions.api.runs — the store layer"),
    ({"functions/api/bad.py": "from functions.workflow import x\n", "functions/workflow/x.py": ""},
     "functions/api/bad.py:1: imports functions.workflow.x — the api layer"),
    ({"functions/api/routes/runs.py": "from functions.store import runs\n"},
     "functions/api/routes/runs.py:1: imports functions.store.runs — a route calls its own package's services only"),
    ({"functions/workflow/a.py": "def handler(e, c):\n    pass\n",
      "functions/workflow/b.py": "from functions.workflow.a import handler\ndef handler(e, c):\n    pass\n"},
     "functions/workflow/b.py:1: imports functions.workflow.a — workflow tasks share logic"),
    ({"functions/store/x.py": "from functions.store import y\n", "functions/store/y.py": "from functions.store import x\n"},
     "import cycle: functions.store.x -> functions.store.y"),
    ({"infra/stack.py": "from functions.aws import clients\n"},
     "infra/stack.py:1: imports functions.aws.clients — infra imports only names"),
    ({"infra/stack.py": "from functions import settings\n", "functions/settings.py": "import boto3\n"},
     "functions.settings imports boto3: a name module must not bring AWS libraries into infra"),
    ({"agent/bad.py": "import requests\n"}, "agent/bad.py:1: imports requests — the agent runs on a bare VM"),
    ({"functions/api/bad.py": "def f():\n    from local import moto_internals\n"},
     "functions/api/bad.py:2: imports local — local/ (moto, the emulator) is for the embedded stack"),
    ({"functions/store/bad.py": "import boto3\nT = boto3.resource('dynamodb')\n"},
     "functions/store/bad.py:2: makes a boto3 client, resource or session — only functions/aws/clients.py does"),
])
def test_each_kind_of_breach_is_found_and_names_the_import(tmp_path, files, expected):
    found = violations(plant(tmp_path, files))
    assert any(expected in v for v in found), found
