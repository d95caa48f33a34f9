"""repl.toml: a project's defaults for `repl run`, and its named profiles, found upward from the cwd.

    spec = "t3.micro"            # top-level keys: the project's defaults
    [profile.gpu]                # chosen with `repl run -p gpu`
    spec = "g5.xlarge"
    spot = true
"""
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from repl import durations
from repl.errors import CliError, ExitCode

FILE_NAME = "repl.toml"
# Each setting, its type, and how an error says what is allowed (values are checked in repl/settings.py).
SETTINGS = {
    "provider": (str, 'a string, e.g. provider = "aws"'),
    "spec": (str, 'a string, e.g. spec = "t3.micro" or spec = "ubuntu:noble:arm64"'),
    "region": (str, 'a string, e.g. region = "eu-west-1" (or regions = [...], tried in order)'),
    "regions": (list, 'an array of strings, tried in order, e.g. regions = ["us-east-1", "us-west-2"]'),
    "spot": (bool, "true or false"),
    "spot_policy": (str, 'a string: spot_policy = "spot", "on-demand" or "auto" (spot first, then on-demand)'),
    "max_duration": ("duration", 'milliseconds or a number with a unit, e.g. max_duration = 7200000 or "2h"'),
    "env": (dict, 'a table of strings, e.g. env = { DEBUG = "1" }'),
    "artifacts": (list, 'an array of strings, e.g. artifacts = ["out/*.csv"]'),
}
ALLOWED = ", ".join(SETTINGS)


@dataclass(frozen=True)
class ProjectFile:
    path: Path
    defaults: dict  # the top-level settings
    profiles: dict  # name -> its settings

    def profile(self, name: str) -> dict:
        if name not in self.profiles:
            defined = ", ".join(sorted(self.profiles)) or f"none yet; add a [profile.{name}] table"
            raise CliError(f"--profile {name}: no [profile.{name}] in {self.path}; defined: {defined}",
                           ExitCode.USAGE)
        return self.profiles[name]


def find(cwd: Path, home: Path) -> Path | None:
    """The nearest repl.toml from `cwd` up; never above the home directory (a shared /home/repl.toml
    is not yours), and up to the filesystem root when `cwd` is outside home."""
    home, cwd = home.resolve(), cwd.resolve()
    for directory in (cwd, *cwd.parents):
        if directory == home.parent and directory != home:  # (a home of / has no parent to stop at)
            return None
        if _is_file(directory / FILE_NAME):
            return directory / FILE_NAME
    return None


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a directory on the way up that we may not look into: no file of ours there
        return False


def load(path: Path) -> ProjectFile:
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as err:
        raise CliError(f"{path} is not valid TOML ({err}); fix it, or see README, Profiles", ExitCode.USAGE) from None
    except OSError as err:
        raise CliError(f"cannot read {path}: {err.strerror or err}", ExitCode.USAGE) from None
    profiles = data.pop("profile", {})
    if not isinstance(profiles, dict) or not all(isinstance(p, dict) for p in profiles.values()):
        raise CliError(f"{path}: profile must hold named tables, e.g. [profile.gpu] with its settings below it",
                       ExitCode.USAGE)
    named = {name: _checked(settings, path, f"[profile.{name}] ", "") for name, settings in profiles.items()}
    return ProjectFile(path, _checked(data, path, "", ", profile"), named)


def _checked(settings: dict, path: Path, where: str, more: str) -> dict:
    for key, value in settings.items():
        if key not in SETTINGS:
            raise CliError(f"{path}: {where}unknown key {key!r}; allowed: {ALLOWED}{more}", ExitCode.USAGE)
        kind, allowed = SETTINGS[key]
        if not _is(value, kind):
            raise CliError(f"{path}: {where}{key} must be {allowed} (it is {_toml(value)})", ExitCode.USAGE)
    return settings


def _is(value, kind) -> bool:
    if kind == "duration":
        return durations.to_ms(value) is not None
    if kind is int:  # TOML's true is not a number of milliseconds, though Python's bool is an int
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is dict:
        return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    if kind is list:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, kind)


def _toml(value) -> str:
    """A value as the file spells it (near enough): "yes", true, 7200000, {...}."""
    return json.dumps(value, default=str)
