"""The buffered event-stream parser."""
from agent.sse import Event, parse


def test_retry_and_events_as_the_control_plane_sends_them():
    body = 'retry: 1000\n\nid: 1\nevent: start_run\ndata: {"run_id": "r1"}\n\nid: 2\nevent: cancel_run\ndata: {}\n\n'
    assert parse(body) == (1000, [Event("1", "start_run", '{"run_id": "r1"}'), Event("2", "cancel_run", "{}")])


def test_comments_crlf_multiline_data_and_no_space_after_colon():
    body = ": keepalive\r\nid:7\r\nevent:x\r\ndata: a\r\ndata:b\r\n\r\n"
    assert parse(body) == (None, [Event("7", "x", "a\nb")])


def test_an_event_without_data_or_its_blank_line_is_not_dispatched():
    assert parse("id: 1\nevent: start_run\n\nid: 2\ndata: cut off\n") == (None, [])


def test_a_bad_retry_is_ignored_and_the_type_defaults_to_message():
    assert parse("retry: soon\ndata: x\n\n") == (None, [Event(None, "message", "x")])
