"""`repl dashboard`: serve the web UI on 127.0.0.1 until Ctrl-C."""
from repl.commands import Context
from repl.errors import CliError, ExitCode


def dashboard(args, ctx: Context) -> int:
    import webbrowser  # here, not at the top: every other command's start would pay for these two

    from repl.dashboard.server import Dashboard

    try:
        server = Dashboard(ctx, args.port)
    except OSError as err:
        raise CliError(f"cannot listen on 127.0.0.1:{args.port}: {err.strerror or err}", ExitCode.USAGE) from None
    with server:
        ctx.env.out(f"dashboard at {server.url} (Ctrl-C stops it)\n")
        if not args.no_open:
            webbrowser.open(server.url)
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            ctx.env.err("\n")
            return ExitCode.INTERRUPTED
    return ExitCode.OK
