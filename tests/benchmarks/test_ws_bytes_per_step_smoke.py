"""Smoke run of the bytes-per-step benchmark: it counts real bytes on the socket, with
permessage-deflate and without."""

from __future__ import annotations

from benchmarks import ws_bytes_per_step


def test_bytes_are_counted_on_the_wire_and_as_text() -> None:
    deflated, plain = ws_bytes_per_step.measure(queue_size=16, steps=10)
    assert (deflated.compressed, plain.compressed) == (True, False)
    assert deflated.steps == plain.steps == 10
    assert deflated.open_text > deflated.open_wire > 0  # the open compresses well
    assert deflated.median_wire > 0 and deflated.median_text > 0
    # the same replies either way; uncompressed, the wire holds the text and its framing
    assert plain.open_text == deflated.open_text
    assert plain.open_wire > plain.open_text > deflated.open_wire
    assert plain.median_wire > plain.median_text
