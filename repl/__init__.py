"""repl: the SkyREPL command line, a thin client of the control plane's HTTP API."""


def version() -> str:
    """The installed package's version. Looked up only when asked (`repl --version`): importlib.metadata
    and its scan of the installed distributions cost every other command ~40 ms of its start."""
    from importlib import metadata

    try:
        return metadata.version("skyrepl-serverless")
    except metadata.PackageNotFoundError:  # run from a checkout (PYTHONPATH) without `pip install -e .`
        return "0.1.0"
