"""Every generated QEMU command line against the installed QEMU: each -device, -netdev,
-object, -chardev, -blockdev and -machine is one QEMU lists, with properties its own help
(or its QAPI schema) names; the lines that need no special host are started paused under
TCG and asked over QMP what they built; vhost-user is started against a small back-end;
vDPA gets as far as opening its device."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.hostconfigs import all_configs, all_options, label
from tests.support.qemu_help import (
    device_models,
    listed,
    properties,
    qapi_members,
    qom_get,
    start_paused,
)
from tests.support.vhost_user_responder import Responder
from virtio_viz.hostconfig import HostConfig, host_config
from virtio_viz.hostconfig.parts import Arg, Prop

CONFIGS = all_configs()
IDS = [label(*pair) for pair in all_options()]


def check_arg(binary: str, arg: Arg) -> None:
    keys = {p.key for p in arg.props} - {"id"}  # every -device/-object takes id; help omits it
    if arg.option == "-device":
        assert arg.head in device_models(binary), arg.head
        known = properties(binary, "-device", arg.head)
        assert keys <= set(known), keys - set(known)
        bools = {key for key in keys if known[key] == "bool"}
        assert all(arg.prop(key) in ("on", "off") for key in bools)
    elif arg.option == "-object":
        assert arg.head in listed(binary, "-object")
        assert keys <= set(properties(binary, "-object", arg.head))
    elif arg.option == "-netdev":
        assert arg.head in listed(binary, "-netdev")
        assert keys <= qapi_members(binary, "netdev_add", arg.head)
    elif arg.option == "-blockdev":
        driver = arg.head.removeprefix("driver=")
        assert keys <= qapi_members(binary, "blockdev-add", driver)
    elif arg.option == "-chardev":
        assert arg.head in listed(binary, "-chardev")
    elif arg.option == "-machine":
        assert arg.head in listed(binary, "-machine")
        assert keys - {"accel"} <= set(properties(binary, "-machine", arg.head))


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_every_option_is_one_qemu_knows(config: HostConfig) -> None:
    for arg in config.args:
        check_arg(config.binary, arg)


def test_a_made_up_property_is_caught() -> None:
    """The check above can fail: QEMU's help does not list what does not exist."""
    config = host_config("qemu-emulated")
    device = next(a for a in config.args if a.option == "-device")
    with pytest.raises(AssertionError):
        check_arg(config.binary, Arg("-device", device.head, (*device.props, Prop("packd", "on"))))
    with pytest.raises(AssertionError):
        check_arg(config.binary, Arg("-netdev", "tap", (Prop("vhots", "on"),)))
    with pytest.raises(AssertionError):
        check_arg(config.binary, Arg("-device", device.head, (Prop("packed", "yes"),)))


def distinct_checkable() -> list[HostConfig]:
    seen: dict[tuple[str, ...], HostConfig] = {}
    for config in CONFIGS:
        words = tuple(w for arg in config.checkable for w in arg.words())
        if words and words not in seen:
            seen[words] = config
    return list(seen.values())


BOOTABLE = distinct_checkable()


def device_questions(config: HostConfig) -> tuple[str, list[tuple[str, str]]]:
    """The QOM path of the device and (property, expected value) pairs."""
    device = next(a for a in config.checkable if a.option == "-device")
    path = f"/machine/peripheral/{device.prop('id')}"
    wanted = ["packed", "event_idx", "rx_queue_size", "queue-size", "devno", "mac"]
    return path, [(key, value) for key in wanted if (value := device.prop(key)) is not None]


def expected(value: str) -> object:
    return {"on": True, "off": False}.get(value, int(value) if value.isdigit() else value)


@pytest.mark.parametrize("config", BOOTABLE, ids=[
    f"{c.scenario}-{c.options['transport']}-{c.options['ring']}-{c.options['event_idx']}"
    for c in BOOTABLE])  # fmt: skip
def test_the_lines_that_need_no_special_host_start_under_tcg(
    config: HostConfig, tmp_path: Path
) -> None:
    (tmp_path / "disk.img").write_bytes(bytes(1 << 20))
    path, pairs = device_questions(config)
    argv = [w for arg in config.checkable for w in arg.words()]
    code, answers, stderr = start_paused(config.binary, argv,
                                         [qom_get(path, key) for key, _ in pairs],
                                         cwd=tmp_path)  # fmt: skip
    assert code == 0, stderr
    got = {key: answer.get("return") for (key, _), answer in zip(pairs, answers, strict=True)}
    assert got == {key: expected(value) for key, value in pairs}


def test_which_scenarios_boot_here() -> None:
    """The tap ones boot with user networking in its place (vhost-net's line is then the
    emulated one's); vhost-user, virtio-user and vDPA need what this machine lacks."""
    checkable = {(c.scenario, c.options["transport"]) for c in CONFIGS if c.checkable}
    assert checkable == {(s, t) for s in ("qemu-emulated", "vhost-net", "virtio-blk")
                         for t in ("pci", "mmio", "ccw")}  # fmt: skip
    emulated, vhost = host_config("qemu-emulated"), host_config("vhost-net")
    assert emulated.checkable == vhost.checkable and emulated.args != vhost.args
    assert len(BOOTABLE) == 2 * 3 * 4  # net and blk, three transports, four option sets


@pytest.mark.parametrize("transport", ["pci", "ccw"])
def test_vhost_user_starts_against_a_back_end(transport: str, tmp_path: Path) -> None:
    """The whole vhost-user line (TCG for KVM), with a back-end on its socket: QEMU asks
    for the features, claims the back-end and hands over each ring's eventfds."""
    config = host_config("vhost-user", {"transport": transport, "ring": "packed"})
    socket_path = tmp_path / "vu.sock"
    argv = [w.replace("accel=kvm", "accel=tcg").replace("/tmp/vhost-user0.sock", str(socket_path))
            for arg in config.args if arg.option not in ("-cpu", "-nographic")
            for w in arg.words()]  # fmt: skip
    with Responder(socket_path) as backend:
        code, answers, stderr = start_paused(
            config.binary, argv, [qom_get("/machine/peripheral/nic0", "packed")], cwd=tmp_path
        )
    assert code == 0, stderr
    assert answers[0]["return"] is True
    assert backend.requests[:3] == ["VHOST_USER_GET_FEATURES", "VHOST_USER_SET_OWNER",
                                    "VHOST_USER_GET_FEATURES"]  # fmt: skip
    assert "VHOST_USER_SET_VRING_CALL" in backend.requests


def test_vdpa_gets_as_far_as_its_missing_device(tmp_path: Path) -> None:
    """No vDPA device here: QEMU accepts the options and stops at opening /dev/vhost-vdpa-0."""
    config = host_config("vdpa")
    argv = [w.replace("accel=kvm", "accel=tcg") for arg in config.args
            if arg.option not in ("-cpu", "-nographic") for w in arg.words()]  # fmt: skip
    code, _, stderr = start_paused(config.binary, argv, [], cwd=tmp_path)
    assert code == 1
    assert "/dev/vhost-vdpa-0" in stderr
