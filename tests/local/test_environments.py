"""Execution environments: per function, up to `limit` worker processes, each one request at a time,
serving requests concurrently (the gateway no longer serializes them behind one lock)."""
import threading
import time

import pytest

from local.environments import Function, InvocationError


@pytest.fixture
def function():
    fn = Function("Slow", "tests.local.slow_handler.handler", limit=3).warm()
    yield fn
    fn.stop()


def test_requests_are_served_at_once_by_separate_processes_up_to_the_limit(function):
    function.invoke({"body": "warm-up"})  # the first environment's cold start
    answers, began = [None] * 6, time.monotonic()

    def call(i):
        answers[i] = function.invoke({"body": f"r{i}"})["body"]

    threads = [threading.Thread(target=call, args=(i,)) for i in range(6)]
    [t.start() for t in threads]
    [t.join(30) for t in threads]
    assert [a.split()[1] for a in answers] == [f"r{i}" for i in range(6)]  # each its own event back
    assert len({a.split()[0] for a in answers}) == 3  # three processes, the limit
    assert function.cold_starts == 3


def test_a_dead_environment_answers_an_error_and_is_replaced(function):
    with pytest.raises(InvocationError):
        function.invoke({"body": "crash"})
    assert function.invoke({"body": "again"})["body"].endswith(" again")
