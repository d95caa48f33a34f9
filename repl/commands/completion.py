"""`repl completion bash|zsh`: print a completion script, for `eval "$(repl completion bash)"`."""
from repl import completion
from repl.commands import Context
from repl.errors import ExitCode

SHELLS = ("bash", "zsh")


def print_script(args, ctx: Context) -> int:
    from repl.parsers import build  # here: repl.parsers imports this module to name its handler

    ctx.env.out(getattr(completion, args.shell)(build()))
    return ExitCode.OK
