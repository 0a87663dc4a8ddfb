"""The live VM benchmark's parts that need no VM: reading ping's summary, the baseline's
command line, and the report (a smoke test: no timing is judged; the boots themselves
are exercised by tests/live/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import live_vm as bench


def test_ping_average_reads_busyboxs_summary() -> None:
    console = (
        "3 packets transmitted, 3 packets received\nround-trip min/avg/max = 7.1/14.82/30.0 ms\n"
    )
    assert bench.ping_average(console) == 14.82
    with pytest.raises(ValueError, match="no ping summary"):
        bench.ping_average("ping: sendto: Network unreachable")


def test_the_baseline_is_the_same_guest_on_qemus_own_device() -> None:
    command = bench.slirp_command(Path("/k"), Path("/i"))
    assert command[command.index("-netdev") + 1] == "user,id=n0"
    device = command[command.index("-device") + 1]
    assert device.startswith("virtio-net-pci,") and "vectors=0" in device  # as the live VM
    assert "vhost-user" not in " ".join(command) and "memfd" not in " ".join(command)


def test_the_report_states_each_figure_against_its_baseline() -> None:
    results = bench.Results(
        live_boot=[15.0, 16.0, 17.0], slirp_boot=[14.0, 15.0, 16.0],
        live_ping=[bench.PingRun(12.0, 0.05, 50), bench.PingRun(14.0, 0.04, 50)],
        slirp_rtt=[3.0, 4.0], model_us=[50.0, 52.0],
    )  # fmt: skip
    table = bench.report(results)
    assert "| boot to READY (s) | 16.0 | 15.0 (QEMU user networking) | 1.07 |" in table
    assert "| ping round trip, average (ms) | 13.00 | 3.50 (QEMU user networking) | 3.7 |" in table
    assert "| back-end CPU per frame (µs) | 900 | 51.0 (one model round trip) | 18 |" in table
