"""Starting a run's command: its `--env` values fetched, its synced working directory unpacked, the
process spawned there. When any of that fails, the reason goes to the run's stderr instead."""
import subprocess
from typing import Callable, Optional, Tuple

from agent import process, runenv, workdir

SPAWN_FAILED_EXIT_CODE = 127  # the shell's "could not run it" code, for a workdir or fork failure


def launch(client, run_id: str, command: str, base_dir: str, wants_env: bool, archive: Optional[dict],
           say: Callable[[str, str], None]) -> Tuple[Optional[subprocess.Popen], str]:
    """(the process, or None when it could not be started; the directory it runs in)."""
    env = runenv.fetch(client) if wants_env else {}
    if env is None:
        say("stderr", "skyrepl-agent: cannot read the run's --env values; not starting it\n")
        return None, base_dir
    cwd = base_dir
    try:
        cwd = workdir.prepare(archive, workdir.target_for(base_dir, run_id)) if archive else base_dir
        return process.spawn(command, cwd, env), cwd
    except workdir.WorkdirError as err:
        say("stderr", "skyrepl-agent: the synced working directory: {}\n".format(err))
    except OSError as err:
        say("stderr", "skyrepl-agent: cannot start the command: {}\n".format(err))
    return None, cwd
