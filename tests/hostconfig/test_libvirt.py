"""Every generated libvirt domain validates against libvirt's own schema (virt-xml-validate,
from Debian's libvirt-clients), and says what the QEMU command line says."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support.hostconfigs import all_configs, all_options, label
from virtio_viz.hostconfig import HostConfig, host_config

CONFIGS = all_configs()
IDS = [label(*pair) for pair in all_options()]


def validates(xml: str, folder: Path) -> subprocess.CompletedProcess[str]:
    path = folder / "domain.xml"
    path.write_text(xml)
    return subprocess.run(["virt-xml-validate", str(path), "domain"], capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_every_domain_validates_against_libvirts_schema(config: HostConfig, tmp_path: Path) -> None:
    done = validates(config.xml, tmp_path)
    assert done.returncode == 0, done.stderr + done.stdout


def test_the_validator_does_reject_a_broken_domain(tmp_path: Path) -> None:
    xml = host_config("vhost-net").xml
    assert validates(xml.replace('packed="off"', 'packed="maybe"'), tmp_path).returncode != 0
    assert validates(xml.replace('type="ethernet"', 'type="teleport"'), tmp_path).returncode != 0


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_the_domain_and_the_command_line_agree(config: HostConfig) -> None:
    root = ET.fromstring(config.xml)
    device = next(a for a in config.args if a.option == "-device")
    driver = root.find("devices/*/driver")
    assert driver is not None
    assert driver.get("packed") == device.prop("packed")
    assert driver.get("event_idx") == device.prop("event_idx")
    size = device.prop("queue-size") or device.prop("rx_queue_size")
    assert size in (driver.get("queue_size"), driver.get("rx_queue_size"))
    os_type = root.find("os/type")
    assert os_type is not None
    machine = next(a for a in config.args if a.option == "-machine").head
    address = root.find("devices/*/address")
    assert address is not None
    transport = config.options["transport"]
    if transport == "ccw":
        assert (os_type.get("arch"), os_type.get("machine")) == ("s390x", machine)
        assert (address.get("type"), address.get("cssid"), address.get("devno")) == (
            "ccw", "0xfe", "0x0000"
        )  # fmt: skip
        assert device.prop("devno") == "fe.0.0000"
    elif transport == "mmio":
        assert address.get("type") == "virtio-mmio" and os_type.get("arch") == "aarch64"
    else:
        assert address.get("type") == "pci" and int(address.get("slot") or "", 16) == int(
            device.prop("addr") or "", 16
        )


def test_vhost_user_shares_guest_memory_in_both() -> None:
    """The part vhost-user needs: guest RAM in a shared memfd (SET_MEM_TABLE passes its
    fd), and the socket."""
    config = host_config("vhost-user", {"transport": "ccw"})
    root = ET.fromstring(config.xml)
    assert root.find("memoryBacking/source") is not None
    assert root.find("memoryBacking/source").get("type") == "memfd"  # type: ignore[union-attr]
    assert root.find("memoryBacking/access").get("mode") == "shared"  # type: ignore[union-attr]
    interface = root.find("devices/interface")
    assert interface is not None and interface.get("type") == "vhostuser"
    memfd = next(a for a in config.args if a.option == "-object")
    assert (memfd.head, memfd.prop("share")) == ("memory-backend-memfd", "on")
    assert next(a for a in config.args if a.option == "-machine").prop("memory-backend") == "mem0"


@pytest.mark.parametrize(("scenario", "kind", "driver"), [
    ("qemu-emulated", "ethernet", "qemu"), ("vhost-net", "ethernet", "vhost"),
    ("vdpa", "vdpa", None), ("vhost-user", "vhostuser", None),
])  # fmt: skip
def test_each_network_back_end_is_its_interface_type(
    scenario: str, kind: str, driver: str | None
) -> None:
    root = ET.fromstring(host_config(scenario).xml)
    interface = root.find("devices/interface")
    assert interface is not None and interface.get("type") == kind
    assert interface.find("driver").get("name") == driver  # type: ignore[union-attr]
