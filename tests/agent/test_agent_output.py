"""Output arrives whole: both streams, each in order, nothing lost or doubled, bytes as written."""


def test_5000_lines_on_each_stream_arrive_in_order(plane, run_command):
    script = "for i in $(seq 1 6000); do echo out $i; echo err $i >&2; done"
    assert run_command(script)["exit_code"] == 0
    assert plane.output("stdout") == "".join("out {}\n".format(i) for i in range(1, 6001))
    assert plane.output("stderr") == "".join("err {}\n".format(i) for i in range(1, 6001))
    assert len(plane.bodies("/v1/agent/logs")) > 1  # batched, not one request per line


def test_output_without_a_trailing_newline(plane, run_command):
    assert run_command("printf 'no newline'; printf 'partial' >&2")["exit_code"] == 0
    assert plane.output("stdout") == "no newline" and plane.output("stderr") == "partial"


def test_a_long_line_goes_as_a_gzipped_chunk_and_arrives_intact(plane, run_command):
    script = "python3 -c \"import sys; sys.stdout.write('é' * 200000)\""
    assert run_command(script)["exit_code"] == 0
    assert plane.output("stdout") == "é" * 200000
    chunks = [b["chunk"] for b in plane.bodies("/v1/agent/logs") if "chunk" in b]
    assert chunks and sum(c["raw_bytes"] for c in chunks) == 400000  # over the inline size: by S3
    assert all(c["bytes"] < c["raw_bytes"] / 10 for c in chunks)  # compressed (a repeated character)
    inline = [len(e["data"].encode()) for b in plane.bodies("/v1/agent/logs") for e in b.get("entries", ())]
    assert max(inline, default=0) <= 65536


def test_a_long_line_splits_across_inline_batches_where_chunks_are_refused(plane, run_command):
    plane.takes_chunks = False  # no upload URL: what would be a chunk is sent inline instead
    script = "python3 -c \"import sys; sys.stdout.write('é' * 200000)\""
    assert run_command(script)["exit_code"] == 0
    assert plane.output("stdout") == "é" * 200000
    sizes = [len(e["data"].encode()) for b in plane.bodies("/v1/agent/logs") for e in b.get("entries", ())]
    assert max(sizes) <= 65536


def test_invalid_utf8_is_replaced_not_fatal(plane, run_command):
    assert run_command(r"printf 'ok \xff\xfe end\n'")["exit_code"] == 0
    assert plane.output("stdout") == "ok \ufffd\ufffd end\n"


def test_the_command_runs_in_the_work_dir_next_to_the_token(plane, run_command, tmp_path):
    assert run_command("pwd; read x || echo stdin-empty")["exit_code"] == 0
    assert plane.output("stdout") == "{}\nstdin-empty\n".format(tmp_path / "work")
