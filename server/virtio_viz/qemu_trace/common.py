"""Guest accesses to the virtio-pci regions: common configuration, ISR, device config.

Each access is one step on the "config" route (driver -> PCI). Writes change the
device's state as QEMU's virtio_pci_common_write() would; reads tell what the device
answered (feature words, queue sizes, the status read back after FEATURES_OK).
"""

from __future__ import annotations

from virtio_viz.model.features import describe
from virtio_viz.qemu_trace.context import Context, Step
from virtio_viz.qemu_trace.parse import TraceLine
from virtio_viz.qemu_trace.registers import (
    ADDRESS_REGISTERS,
    COMMON,
    NO_VECTOR,
    PAGE_MASK,
    config_field,
    queue_name,
)
from virtio_viz.qemu_trace.state import DeviceState, Life, status_list

_QEMU_WRITE = "memory_region_ops_write; virtio_pci_common_write() in QEMU"
_QEMU_READ = "memory_region_ops_read; virtio_pci_common_read() in QEMU"


def _names(value: int) -> str:
    return "|".join(status_list(value)) or "0"


def _features(value: int, word: int, dev: DeviceState) -> str:
    names = describe(value << 32 * word, dev.dev_id) if word in (0, 1) else []
    return ", ".join(names) if names else "no bits"


def region_access(ctx: Context, line: TraceLine, device: str, part: str) -> Step:
    dev = ctx.device(device)
    write = line.event.endswith("write")
    offset, value, size = line.num("addr") & PAGE_MASK, line.num("value"), line.num("size")
    if part == "common":
        return _common(ctx, line, dev, offset=offset, value=value, write=write)
    verb = "writes" if write else "reads"
    values: dict[str, int | str | bool | None] = {
        "region": part, "offset": offset, "value": value, "width": size, "write": write,
    }  # fmt: skip
    if part == "isr":  # virtio-1.2 §4.1.4.5
        summary = f"{ctx.who.capitalize()} {verb} the ISR status of {device}: {value:#x}"
        if not write:
            summary += " (reading it also clears it)"
        spec = "§4.1.4.5"
    elif part == "device":  # virtio-1.2 §4.1.4.6
        field = config_field(dev.dev_id, offset)
        summary = f"{ctx.who.capitalize()} {verb} {field} in {device}'s device configuration: "
        summary += f"{value:#x} ({size} byte{'s' if size > 1 else ''})"
        values["register"] = field
        spec = "§4.1.4.6"
    else:  # "notify" without ioeventfd is a kick; datapath handles it
        summary = f"{ctx.who.capitalize()} {verb} {value:#x} at notify+{offset:#x} of {device}"
        spec = "§4.1.4.4"
    op = "write" if write else "read"
    analog = f"memory_region_ops_{op}; virtio_pci_{part}_{op}() in QEMU"
    return ctx.step(
        line, kind="register_write" if write else "register_read", actor="driver",
        plane="control", spec=spec, analog=analog, summary=summary, device=device,
        values=values, route="config",
    )  # fmt: skip


def _common(
    ctx: Context, line: TraceLine, dev: DeviceState, *, offset: int, value: int, write: bool
) -> Step:
    register = COMMON.get(offset)
    name = register.name if register else f"common+{offset:#x}"
    kind, spec, detail = (
        _common_write(ctx, dev, offset, value) if write else _common_read(dev, offset, value)
    )
    verb = "writes" if write else "reads"
    summary = f"{ctx.who.capitalize()} {verb} {name} of {dev.name}: {value:#x}"
    if detail:
        summary += f" ({detail})"
    queue = dev.queue_select if COMMON.get(offset) and offset >= 0x18 else None
    values: dict[str, int | str | bool | None] = {
        "region": "common", "register": name, "offset": offset, "value": value,
        "width": line.num("size"), "write": write,
    }  # fmt: skip
    return ctx.step(
        line, kind=kind, actor="driver", plane="control", spec=spec,
        analog=_QEMU_WRITE if write else _QEMU_READ, summary=summary, device=dev.name,
        queue=queue, values=values, route="config",
    )  # fmt: skip


def _common_write(ctx: Context, dev: DeviceState, offset: int, value: int) -> tuple[str, str, str]:
    """Apply a write; (kind, spec section, words for the narration)."""
    q = dev.queue(dev.queue_select) if offset >= 0x18 and offset in COMMON else None
    if offset == 0x00:
        dev.device_feature_select = value
        return "feature_select", "§4.1.4.3", f"the next device_feature read shows word {value}"
    if offset == 0x08:
        dev.driver_feature_select = value
        return "feature_select", "§4.1.4.3", f"the next driver_feature write fills word {value}"
    if offset == 0x0C:
        return "driver_features_write", "§2.2", _driver_word(dev, value)
    if offset == 0x10:
        dev.config_msix_vector = value
        return "msix_vector_write", "§4.1.5.1.2", _vector(value) + " for configuration changes"
    if offset == 0x14:
        return _status_write(ctx, dev, value)
    if offset == 0x16:
        dev.queue_select = value
        name = queue_name(dev.dev_id, value, dev.num_queues)
        return "queue_select", "§4.1.5.1.3", f"the queue registers now show queue {value}, {name}"
    if q is None:
        return "register_write", "§4.1.4.3", ""
    if offset == 0x18:
        q.size = value
        return "queue_size_write", "§4.1.5.1.3", f"queue {q.index} gets {value} entries"
    if offset == 0x1A:
        q.msix_vector = value
        return "msix_vector_write", "§4.1.5.1.2", f"queue {q.index} interrupts use {_vector(value)}"
    if offset == 0x1C:
        q.enabled = value == 1
        q.pops = q.used = q.in_use = 0
        return "queue_enable", "§4.1.5.1.3", f"queue {q.index} is live from now on"
    if offset in ADDRESS_REGISTERS:
        area, half = ADDRESS_REGISTERS[offset]
        q.set_half(area, half, value)
        return (
            "queue_address",
            "§4.1.5.1.3",
            f"queue {q.index} {area} area is now at " + hex(q.addresses[area]),
        )
    return "register_write", "§4.1.4.3", ""


def _common_read(dev: DeviceState, offset: int, value: int) -> tuple[str, str, str]:
    q = dev.queue(dev.queue_select) if offset >= 0x18 and offset in COMMON else None
    if offset == 0x04:
        word = dev.device_feature_select
        if word in (0, 1):
            shift = 32 * word
            dev.offered = dev.offered & ~(0xFFFFFFFF << shift) | value << shift
        return "device_features_read", "§2.2", f"word {word}: {_features(value, word, dev)}"
    if offset == 0x12:
        dev.num_queues = value
        return (
            "register_read",
            "§4.1.4.3",
            f"the device has {value} queue{'s' if value != 1 else ''}",
        )
    if offset == 0x14:
        return "status_read", "§2.1", _status_read(dev, value)
    if offset == 0x15:
        dev.config_generation = value
        return "register_read", "§4.1.4.3", "config_generation"
    if q is None:
        return "register_read", "§4.1.4.3", ""
    if offset == 0x18:
        if q.size is None:
            q.max_size = value
        return "queue_size_read", "§4.1.5.1.3", f"queue {q.index} holds at most {value} entries"
    if offset == 0x1A:
        q.msix_vector = value
        ok = "mapping refused" if value == NO_VECTOR else "the mapping took"
        return "msix_vector_read", "§4.1.5.1.2", f"read back to check: {ok}"
    if offset == 0x1C:
        return "register_read", "§4.1.5.1.3", "enabled" if value else "not enabled yet"
    if offset == 0x1E:
        q.notify_off = value
        return "register_read", "§4.1.4.4", f"queue {q.index} kicks land at notify_off {value}"
    return "register_read", "§4.1.4.3", ""


def _vector(value: int) -> str:
    return "no MSI-X vector" if value == NO_VECTOR else f"MSI-X table entry {value}"


def _driver_word(dev: DeviceState, value: int) -> str:
    word = dev.driver_feature_select
    if word not in (0, 1):
        return f"word {word}, beyond the 64 bits virtio 1.2 defines"
    shift = 32 * word
    dev.driver_features = dev.driver_features & ~(0xFFFFFFFF << shift) | value << shift
    offered_word = dev.offered >> shift & 0xFFFFFFFF
    declined = describe((offered_word & ~value) << shift, dev.dev_id)
    text = f"word {word}: accepts {_features(value, word, dev)}"
    return text + (f"; declines {', '.join(declined)}" if declined else "")


def _status_write(ctx: Context, dev: DeviceState, value: int) -> tuple[str, str, str]:
    if value == 0:  # virtio-1.2 §2.4
        ended = dev.life
        dev.reset()
        detail = "a reset: status, features and queues start over"
        return "device_reset", "§2.4", detail + (f"; {life_ends(dev, ended)}" if ended else "")
    newly = value & ~dev.status
    starts = dev.life is None
    dev.set_status(value, ctx.who)
    if newly & 0x8:  # FEATURES_OK: QEMU checks the set now; a read-back confirms
        dev.latch_features(dev.driver_features)
    detail = _names(value)
    if starts and dev.life is not None:
        detail += f"; life {dev.life.number} of {dev.name} begins"
    return "status_write", "§3.1.1", detail


def life_ends(dev: DeviceState, life: Life) -> str:
    """Words for the end of `life` at a reset: what it ran on, so a reader can tell lives apart."""
    if not life.negotiated:
        return f"life {life.number} of {dev.name} ends before any features were agreed"
    event_idx = "on" if life.event_idx else "off"
    reached = "" if life.driver_ok else ", and never reached DRIVER_OK"
    return (
        f"life {life.number} of {dev.name} ends; it ran a {life.ring} ring with event_idx "
        f"{event_idx}{reached}"
    )


def _status_read(dev: DeviceState, value: int) -> str:
    if dev.status & 0x8 and not value & 0x8:
        dev.latch_features(0)
        return f"{_names(value)}: FEATURES_OK did not stick, the device refused the features"
    if value & 0x8 and dev.status & 0x8 and not value & 0x4:
        return f"{_names(value)}: FEATURES_OK stuck, the features are agreed"
    return _names(value)
