"""The seven diagrams: each validates, carries the seed's labels, and routes traffic the way
its architecture really does."""

from __future__ import annotations

import dataclasses
import re

import pytest

from virtio_viz.scenarios import (
    SCENARIO_IDS,
    Layer,
    Topology,
    all_topologies,
    problems,
    topology,
    validate,
)
from virtio_viz.scenarios.topology import RouteName

HOSTED = [i for i in SCENARIO_IDS if i != "ring-lab"]
NETWORK = ["qemu-emulated", "vhost-net", "vhost-user", "virtio-user", "vdpa"]


def labels(t: Topology) -> set[str]:
    return {box.label for box in t.boxes}


def box_with_label(t: Topology, label: str) -> str:
    (found,) = [box.id for box in t.boxes if box.label == label]
    return found


def hop_labels(t: Topology, name: RouteName, variant: str = "") -> list[str]:
    return [t.wire(hop).label for hop in t.route(name, variant).hops]


def inside(t: Topology, box_id: str, container: str) -> bool:
    return box_id == container or container in t.ancestors(box_id)


def test_the_scenario_ids_are_exactly_the_ones_in_urls() -> None:
    assert SCENARIO_IDS == (
        "qemu-emulated", "vhost-net", "vhost-user", "virtio-user", "vdpa", "virtio-blk",
        "ring-lab",
    )  # fmt: skip
    assert [t.id for t in all_topologies()] == list(SCENARIO_IDS)
    assert all(topology(i).id == i for i in SCENARIO_IDS)


def test_an_unknown_id_is_a_value_error_that_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown scenario 'vhost'") as caught:
        topology("vhost")
    assert not isinstance(caught.value, KeyError)
    assert str(caught.value).endswith(
        "known: qemu-emulated, vhost-net, vhost-user, virtio-user, vdpa, virtio-blk, ring-lab"
    )


@pytest.mark.parametrize("scenario", SCENARIO_IDS)
def test_every_topology_validates(scenario: str) -> None:
    t = topology(scenario)
    assert problems(t) == ()
    assert validate(t) is t


@pytest.mark.parametrize("scenario", SCENARIO_IDS)
def test_every_topology_has_the_basic_routes_and_explains_itself(scenario: str) -> None:
    t = topology(scenario)
    basics: tuple[RouteName, ...] = ("config", "kick", "interrupt")
    assert all(t.has_route(name) for name in basics)
    assert t.title
    assert 1 <= len(re.findall(r"[.!?](\s|$)", t.summary)) <= 2
    assert all(w.label and w.detail for w in t.wires)
    assert all(r.label for r in t.routes)


@pytest.mark.parametrize("scenario", HOSTED)
def test_a_back_end_set_up_by_the_control_plane_has_a_setup_route(scenario: str) -> None:
    t = topology(scenario)
    split = t.placement.control_plane != t.placement.data_plane
    assert t.has_route("setup") == split


@pytest.mark.parametrize("scenario", NETWORK)
def test_network_devices_move_frames_both_ways_through_the_nic(scenario: str) -> None:
    t = topology(scenario)
    assert t.walk(t.route("tx"))[-1] == "nic"
    assert t.walk(t.route("rx"))[0] == "nic"
    assert t.box("nic").kind == "hardware"


@pytest.mark.parametrize("scenario", HOSTED)
def test_hosted_pictures_share_ids_and_stack_guest_over_host_over_hardware(
    scenario: str,
) -> None:
    t = topology(scenario)
    # the seed nests the driver in guest space, in the VM, in the QEMU process
    assert t.ancestors("driver")[1:] == ("vm", "qemu", "host-user")
    assert t.ancestors("desc-table")[:2] == ("virtqueue", "driver")
    assert t.placement.driver == "driver"
    assert t.placement.rings == "virtqueue"
    assert t.box("driver").layer > t.box("kvm").layer > Layer.HARDWARE
    assert t.box("kvm").parent == "host-kernel"


def test_qemu_emulated_draws_the_seeds_boxes() -> None:
    t = topology("qemu-emulated")
    assert {
        "QEMU process", "VM", "guest user space", "guest kernel space", "virtio-net driver",
        "virtqueue", "descriptor table", "avail ring", "used ring", "virtio-net device model",
        "KVM", "host user space", "host kernel space", "hardware",
    } <= labels(t)  # fmt: skip
    assert t.box("driver").parent == "guest-kernel"
    assert t.ancestors("device-model") == ("qemu", "host-user")
    assert t.placement.data_plane == t.placement.control_plane == "device-model"


def test_qemu_emulated_kick_exits_to_kvm_then_reaches_qemu_two_ways() -> None:
    t = topology("qemu-emulated")
    assert t.walk(t.route("kick")) == ("driver", "kvm", "device-model")
    assert hop_labels(t, "kick") == ["notify write (VM exit)", "ioeventfd"]
    assert hop_labels(t, "kick", "mmio-exit") == ["notify write (VM exit)", "KVM_EXIT_MMIO"]
    assert t.walk(t.route("interrupt")) == ("device-model", "kvm", "driver")


def test_qemu_emulated_raises_its_msi_itself_and_has_no_irqfd() -> None:
    """Issue 14.2: with no vhost, QEMU's virtio_notify() -> msix_notify() sends the MSI to
    KVM with an ioctl; irqfd belongs to the architectures whose data plane left QEMU."""
    t = topology("qemu-emulated")
    assert hop_labels(t, "interrupt") == ["KVM_SIGNAL_MSI", "vCPU interrupt (MSI-X)"]
    assert "irqfd" not in {wire.id for wire in t.wires}
    assert not any(t.has_route("interrupt", variant) for variant in ("irqfd", "config"))


def test_qemu_virtio_blk_interrupts_queues_through_irqfd_and_config_changes_directly() -> None:
    """QEMU 7.2's virtio-blk data plane signals each queue's guest notifier (the shared
    recording logs `virtio_notify_irqfd` for it); configuration changes come from QEMU's
    main loop, msix_notify()."""
    t = topology("virtio-blk")
    assert hop_labels(t, "interrupt") == ["irqfd", "vCPU interrupt (MSI-X)"]
    assert hop_labels(t, "interrupt", "config") == ["KVM_SIGNAL_MSI", "vCPU interrupt (MSI-X)"]


def test_vhost_net_runs_the_data_plane_in_the_host_kernel() -> None:
    t = topology("vhost-net")
    vhost = box_with_label(t, "vhost-net")
    assert t.placement.data_plane == vhost
    assert t.box(vhost).parent == "host-kernel"
    assert t.placement.control_plane == "device-model"
    assert hop_labels(t, "setup") == ["vhost ioctls"]
    assert t.walk(t.route("setup")) == ("device-model", vhost)


def test_vhost_net_kicks_and_interrupts_never_pass_through_qemu() -> None:
    t = topology("vhost-net")
    kick = t.walk(t.route("kick"))
    interrupt = t.walk(t.route("interrupt"))
    # the driver itself lives in the VM inside the QEMU process; nothing after it may
    assert not any(inside(t, b, "qemu") for b in kick[1:])
    assert not any(inside(t, b, "qemu") for b in interrupt[:-1])
    assert "irqfd" in hop_labels(t, "interrupt")
    assert "ioeventfd" in hop_labels(t, "kick")
    data: tuple[RouteName, ...] = ("tx", "rx")
    for name in data:
        assert not any(inside(t, b, "qemu") and b != "virtqueue" for b in t.walk(t.route(name)))


def test_vhost_user_back_end_is_a_host_process_on_a_unix_socket() -> None:
    t = topology("vhost-user")
    backend = box_with_label(t, "vhost-user process")
    assert t.box(backend).kind == "process"
    assert t.box(backend).parent == "host-user"
    assert not inside(t, backend, "qemu")
    assert t.placement.data_plane == backend
    (socket,) = [w for w in t.wires if w.label == "unix socket"]
    assert {socket.a, socket.b} == {"device-model", backend}
    assert t.route("setup").hops == (socket.id,)
    # it translates guest-physical addresses through its own memory table
    assert t.box(box_with_label(t, "memory table")).parent == backend
    assert t.walk(t.route("kick"))[1:] == ("kvm", backend)
    assert hop_labels(t, "interrupt") == ["irqfd", "vCPU interrupt (MSI-X)"]


def test_virtio_user_puts_a_polling_driver_in_guest_user_space() -> None:
    t = topology("virtio-user")
    assert t.box("driver").parent == "guest-user"
    assert t.box("driver").layer == Layer.GUEST_USER
    assert inside(t, "virtqueue", "guest-user")
    assert t.placement.data_plane == box_with_label(t, "vhost-user process")
    assert t.route("kick").suppressed
    assert t.route("interrupt").suppressed
    assert not t.route("tx").suppressed
    # an interrupt for a user-space driver lands in the guest kernel first
    assert t.walk(t.route("interrupt"))[-2:] == ("guest-vfio", "driver")
    assert not any(r.suppressed for other in HOSTED if other != "virtio-user"
                   for r in topology(other).routes)  # fmt: skip


def test_vdpa_has_vfio_an_iommu_and_the_data_plane_in_the_nic() -> None:
    t = topology("vdpa")
    assert {"VFIO", "IOMMU", "NIC"} <= labels(t)
    assert t.placement.data_plane == "nic"
    assert t.placement.iommu == box_with_label(t, "IOMMU")
    assert t.box("iommu").kind == t.box("nic").kind == "hardware"
    assert t.box("vfio").parent == "host-kernel"
    assert t.walk(t.route("setup")) == ("device-model", "vfio", "nic")
    assert t.walk(t.route("map")) == ("device-model", "vfio", "iommu")


def test_vdpa_kick_is_a_doorbell_straight_to_the_nic_and_dma_crosses_the_iommu() -> None:
    t = topology("vdpa")
    kick = t.route("kick")
    assert len(kick.hops) == 1
    assert t.wire(kick.hops[0]).label == "doorbell"
    assert t.walk(kick) == ("driver", "nic")
    assert hop_labels(t, "interrupt")[0] == "MSI"
    dma: tuple[RouteName, ...] = ("dma", "tx", "rx")
    for name in dma:
        assert "iommu" in t.walk(t.route(name))
        assert {t.wire(h).plane for h in t.route(name).hops} == {"data"}
    assert t.walk(t.route("dma")) == ("nic", "iommu", "virtqueue")


def test_virtio_blk_is_a_block_device_under_qemu() -> None:
    t = topology("virtio-blk")
    assert {"virtio-blk driver", "virtio-blk device model", "disk"} <= labels(t)
    assert "virtio-net driver" not in labels(t)
    assert t.placement.outside == "disk"
    assert t.walk(t.route("write")) == ("virtqueue", "device-model", "host-fs", "disk")
    assert t.walk(t.route("read"))[-1] == "virtqueue"
    assert not t.has_route("tx")
    assert not t.has_route("rx")


def test_ring_lab_is_only_a_driver_the_rings_and_a_device() -> None:
    t = topology("ring-lab")
    assert labels(t) == {
        "driver", "guest memory", "virtqueue", "descriptor table", "avail ring", "used ring",
        "device",
    }  # fmt: skip
    assert t.ancestors("avail-ring") == ("virtqueue", "guest-memory")
    assert t.walk(t.route("kick")) == ("driver", "device")
    assert t.walk(t.route("interrupt")) == ("device", "driver")
    assert t.placement.outside is None
    assert t.placement.iommu is None


def test_topologies_are_frozen_values() -> None:
    t = topology("vhost-net")
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.id = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.boxes[0].label = "other"  # type: ignore[misc]


def test_lookups_name_what_is_missing() -> None:
    t = topology("ring-lab")
    with pytest.raises(ValueError, match="ring-lab: no box 'kvm'"):
        t.box("kvm")
    with pytest.raises(ValueError, match="ring-lab: no wire 'irqfd'"):
        t.wire("irqfd")
    with pytest.raises(ValueError, match="ring-lab: no route 'kick/mmio-exit'"):
        t.route("kick", "mmio-exit")
    assert [b.id for b in t.children("virtqueue")] == ["desc-table", "avail-ring", "used-ring"]


@pytest.mark.parametrize("scenario", SCENARIO_IDS)
def test_a_packed_ring_renames_the_three_areas_and_keeps_every_route(scenario: str) -> None:
    """virtio-1.2 §2.8: a packed virtqueue's areas hold a descriptor ring and two event
    suppression structures, not a descriptor table and two rings."""
    split = topology(scenario)
    packed = split.for_ring("packed")
    assert split.for_ring("split") is split
    names = {box.id: (box.label, box.sublabel) for box in packed.boxes}
    assert names["virtqueue"] == ("virtqueue", "packed ring in guest memory")
    assert names["desc-table"] == ("descriptor ring", "Descriptor Area")
    assert names["avail-ring"] == ("driver event suppression", "Driver Area")
    assert names["used-ring"] == ("device event suppression", "Device Area")
    assert not {"descriptor table", "avail ring", "used ring"} & labels(packed)
    assert problems(packed) == ()
    assert [packed.walk(r) for r in packed.routes] == [split.walk(r) for r in split.routes]
