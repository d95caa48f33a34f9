"""The event loop in process, with a scripted transport and a recorded sleep: it never crashes."""
import logging

from agent.client import ApiClient, Response, TransportError
from agent.config import Config
from agent.loop import Agent
from agent.main import main

CFG = Config(api_url="http://cp", token_file="/nonexistent/token", workdir="/nonexistent/work",
             poweroff_cmd="false")


def _agent(answers, sleeps, silent_for=0.0):
    def transport(method, url, headers, body, timeout):
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = ApiClient("http://cp", "k.s", 0.1, 0.4, transport=transport, clock=lambda: 0.0, sleep=sleeps.append)
    return Agent(CFG, client, clock=lambda: silent_for, sleep=sleeps.append)


def test_network_errors_and_garbage_back_off_then_410_ends_it():
    answers = [TransportError("refused"), Response(200, b"{}"),  # register: retried once
               TransportError("reset"), Response(503, b""), Response(500, b""), Response(400, b"?"),
               Response(200, b"data: not json\n\nevent: nope\ndata: {}\n\n"),  # garbage, ignored
               Response(200, b"retry: 2500\n\n"), Response(410, b"")]
    sleeps = []
    assert _agent(answers, sleeps).run() == 0
    assert sleeps == [0.1, 0.1, 0.2, 0.4, 0.4, 1.0, 2.5] and not answers


def test_an_unreachable_control_plane_trips_the_dead_mans_switch_before_registering():
    agent = _agent([TransportError("refused")] * 3, [], silent_for=CFG.deadman_seconds + 1)
    assert agent.run() == 1  # it ran the power-off command, which here is `false`: a failure


def test_bad_settings_exit_2_before_any_call(tmp_path):
    (tmp_path / "token").write_text("k.s\n")
    assert main(["--api-url", "ftp://x", "--token-file", str(tmp_path / "token")]) == 2
    assert main(["--api-url", "http://x", "--token-file", str(tmp_path / "missing")]) == 2
    assert main(["--api-url", "http://x"]) == 2  # argparse: --token-file is required


def test_a_crash_of_the_agent_itself_leaves_its_traceback_and_powers_the_machine_off(tmp_path, caplog):
    marker = tmp_path / "powered-off"
    cfg = Config(api_url="http://cp", token_file="/nonexistent/token", workdir=str(tmp_path),
                 poweroff_cmd="touch {}".format(marker))

    class Broken:
        last_event_id = 0

        def registered(self, _reply):
            pass

        def latest_deadline_ms(self):
            return None

        def handle(self, *_args):
            raise RuntimeError("a bug in the agent")

        def stop_all(self):
            pass

    answers = [Response(200, b"{}"), Response(200, b"id: 1\nevent: start_run\ndata: {\"run_id\": \"r1\"}\n\n")]
    client = ApiClient("http://cp", "k.s", 0.1, 0.4, transport=lambda *a: answers.pop(0), clock=lambda: 0.0,
                       sleep=lambda s: None)
    agent = Agent(cfg, client, clock=lambda: 0.0, sleep=lambda s: None, dispatcher=Broken())
    logging.getLogger("agent").addHandler(caplog.handler)  # main() may have stopped it propagating
    try:
        assert agent.run() == 0 and marker.exists()
    finally:
        logging.getLogger("agent").removeHandler(caplog.handler)
    assert "a bug in the agent" in caplog.text and "Traceback" in caplog.text
