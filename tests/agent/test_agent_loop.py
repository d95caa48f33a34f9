"""The event loop in process, with a scripted transport and a recorded sleep: it never crashes."""
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
