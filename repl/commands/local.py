"""`repl local up|down|status|env`: the embedded stack, through `local.control` (imported on first use)."""
import shlex
from dataclasses import asdict

from repl import output
from repl.commands import Context
from repl.errors import CliError, ExitCode

NOT_RUNNING = "embedded stack is not running"


def control_module():
    """`local.control`, imported on first use and by this command alone: nothing else of the CLI (or the
    control plane) depends on the embedded stack's code (DESIGN §2)."""
    from local import control

    return control


def describe(state) -> str:
    return f"embedded stack up: API {state.api_url}, emulated AWS {state.aws_endpoint}, control id {state.control_id}"


def up(args, ctx: Context) -> int:
    control = ctx.env.control()
    try:
        state = control.up(ctx.env.config_dir)
    except getattr(control, "LocalError", RuntimeError) as err:
        raise CliError(str(err)) from None
    ctx.env.out(describe(state) + "\n")
    return ExitCode.OK


def down(args, ctx: Context) -> int:
    """Runs in flight are cancelled first (their instances terminated, their artifacts uploaded),
    unless --now: then the next `repl local up` ends them."""
    control, home = ctx.env.control(), ctx.env.config_dir
    running = [] if args.now else control.in_flight(home)
    if running:
        ctx.env.err(f"[repl] {output.plural(len(running), 'run')} in flight ({', '.join(running)}): cancelling "
                    "and waiting for their instances to be terminated (`repl local down --now` stops at once; "
                    "the next `repl local up` ends them)\n")
        left = control.cancel_all(home, running)
        if left:
            ctx.env.err(f"[repl] not ended yet: {', '.join(left)}; stopping anyway: the next `repl local up` "
                        "ends them\n")
    stopped = control.down(home)
    ctx.env.out("embedded stack stopped\n" if stopped else NOT_RUNNING + "\n")
    return ExitCode.OK


def status(args, ctx: Context) -> int:
    state = ctx.env.control().status(ctx.env.config_dir)
    if state is None:
        ctx.env.err(NOT_RUNNING + "\n")
        return ExitCode.ERROR
    public = {k: v for k, v in asdict(state).items() if k != "token"}  # the token stays in ~/.repl
    text = f"{describe(state)}; region {state.region}, pid {state.pid}\n"
    ctx.env.out(output.to_json(public) if args.json else text)
    return ExitCode.OK


def env(args, ctx: Context) -> int:
    state = ctx.env.control().status(ctx.env.config_dir)
    if state is None:
        raise CliError(f"{NOT_RUNNING}; start it with: repl local up")
    exports = {"AWS_ENDPOINT_URL": state.aws_endpoint, "AWS_ACCESS_KEY_ID": "testing",
               "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": state.region, "AWS_REGION": state.region}
    ctx.env.out("".join(f"export {name}={shlex.quote(value)}\n" for name, value in exports.items()))
    return ExitCode.OK
