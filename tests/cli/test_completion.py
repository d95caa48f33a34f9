"""`repl completion bash|zsh`: scripts generated from the argparse tree; the bash one is run for real."""
import argparse
import subprocess

import pytest

from repl import completion
from repl.parsers import build



def complete(script: str, line: str) -> list[str]:
    """What bash offers after `line` (the cursor at its end), with `script` eval'd as the README says."""
    probe = 'eval "$SCRIPT"; COMP_LINE="$LINE"; COMP_POINT=${#COMP_LINE}; _repl; printf "%s\\n" "${COMPREPLY[@]}"'
    out = subprocess.run(["bash", "--norc", "-c", probe], env={"SCRIPT": script, "LINE": line, "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, check=True)
    assert out.stderr == ""
    return out.stdout.split()


@pytest.fixture(scope="module")
def bash_script():
    return completion.bash(build())


def test_completion_prints_the_script_for_eval(repl_main):
    result = repl_main("completion", "bash")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith("# bash completion for repl") and result.stdout.endswith("complete -F _repl repl\n")
    zsh = repl_main("completion", "zsh")
    assert zsh.exit_code == 0 and zsh.stdout.rstrip().endswith("compdef _repl repl")


def test_an_unknown_shell_is_a_usage_error_naming_the_ones_supported(repl_main):
    result = repl_main("completion", "fish")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "argument shell: invalid choice: 'fish' (choose from 'bash', 'zsh')" in result.stderr


@pytest.mark.parametrize("line, offered", [
    ("repl ", ["run", "artifact", "instance", "local", "cache", "orphan", "snapshot", "pool", "ssh-config", "ssh", "setup", "cost",
               "dashboard", "completion", "-h", "--help", "--version"]),
    ("repl sn", ["snapshot"]),
    ("repl artifact ", ["list", "download", "-h", "--help"]),
    ("repl artifact download r1 --", ["--help", "--to", "--force", "--json"]),
    ("repl run --ar", ["--artifacts"]),
    ("repl run l", ["list", "logs"]),
    ("repl run --d", ["--dry-run", "--detach"]),
    ("repl run --spec ubuntu:noble:amd64 --no", ["--no-spot", "--no-pool", "--no-sync"]),
    ("repl run list --", ["--help", "--status", "--limit", "--cursor", "--json"]),
    ("repl run list --status ", ["pending", "provisioning", "booting", "running", "succeeded", "failed", "timed_out",
                                 "cancelled", "interrupted", "error"]),
    ("repl run list --status t", ["timed_out"]),
    ("repl run --spec ", []),  # a value of the user's own: nothing to offer
    ("repl run -p gpu -c 'make test' --o", ["--on-demand"]),
    ("repl completion ", ["bash", "zsh", "-h", "--help"]),
    ("repl local s", ["status"]),
])
def test_bash_completes_nouns_actions_flags_and_choices(bash_script, line, offered):
    assert complete(bash_script, line) == offered


def test_the_script_follows_the_parser_it_is_generated_from():
    parser = argparse.ArgumentParser(prog="repl")
    go = parser.add_subparsers(dest="noun").add_parser("go", help="go somewhere")
    go.add_argument("--speed", choices=["slow", "fast"])
    go.add_argument("--far", action="store_true")
    script = completion.bash(parser)
    assert complete(script, "repl ") == ["go", "-h", "--help"]
    assert complete(script, "repl go --speed f") == ["fast"]
    assert complete(script, "repl go --speed slow --") == ["--help", "--speed", "--far"]


def test_zsh_describes_each_word_and_offers_choices(bash_script):
    script = completion.zsh(build())
    assert "(\" run list\") entries=('-h:show this help message and exit'" in script
    assert "'list:list your runs, newest first'" in script
    assert "'cache:the control plane'\\''s AMI cache" in script  # quotes inside a description are escaped
    assert '(" run list --status") compadd -- pending provisioning booting running' in script
    assert "autoload -Uz compinit && compinit" in script  # works in a .zshrc that never ran compinit
