"""repl: the SkyREPL command line, a thin client of the control plane's HTTP API."""
from importlib import metadata

try:
    __version__ = metadata.version("skyrepl-serverless")
except metadata.PackageNotFoundError:  # run from a checkout (PYTHONPATH) without `pip install -e .`
    __version__ = "0.1.0"
