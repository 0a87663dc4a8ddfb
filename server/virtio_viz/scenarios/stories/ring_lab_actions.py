"""The ring lab's action vocabulary: what a reader (or a scenario file) may do by hand.

How this works: every action is an `ActionSpec` whose `ParamSpec`s carry the field
widths of the spec (an index fits the ring, a len fits a le32, avail.idx a le16), so
`ActionSpec.check` refuses a value that no real driver or device could even write,
naming the parameter, before anything changes. What survives that check is possible,
and if the spec forbids it the model records the Violation when it happens.

Two parameters are strings that stay flat for a form or a scenario file:
- `entries` of `write_indirect_table`: one descriptor per `;`, fields separated by `:`:
  split `addr:len:flags:next`, packed `addr:len:flags`. Numbers are decimal or 0x-hex,
  e.g. `"0x10100000:64:1:1; 0x10100100:1514:2:0"`.
- `out_lens` / `in_lens` of `add_buffer`: element lengths separated by commas, e.g.
  `"12, 1514"`; the lab places each element in its data area.
"""

from __future__ import annotations

from virtio_viz.scenarios.story import ActionError, ActionSpec, ParamSpec

MAX_U16 = 0xFFFF
MAX_U32 = 0xFFFF_FFFF
MAX_U64 = (1 << 64) - 1
MAX_ELEMENT = 0x1_0000  # the lab's data area hands out at most 64 KiB per element
MAX_TABLE_ENTRIES = 1024


def _u16(name: str, label: str, default: int | None = None) -> ParamSpec:
    return ParamSpec(name, "int", label, minimum=0, maximum=MAX_U16, default=default)


def _check(name: str, label: str, default: bool = False) -> ParamSpec:
    return ParamSpec(name, "bool", label, default=default)


def _common(
    size: int, use: ActionSpec, driver: tuple[ActionSpec, ...], device: tuple[ActionSpec, ...]
) -> list[ActionSpec]:
    """Actions both ring formats share, around the format's own ones."""
    return [
        ActionSpec(
            "write_indirect_table",
            "write an indirect table",
            "The driver writes a table of descriptors anywhere in guest memory (§2.7.5.3, "
            "§2.8.7); a ring descriptor with INDIRECT can then point at it.",
            (
                ParamSpec("addr", "int", "table address", minimum=0, maximum=MAX_U64),
                ParamSpec("entries", "str", "entries (addr:len:flags[:next]; ...)"),
            ),
        ),
        ActionSpec(
            "add_buffer",
            "add a buffer (as Linux does)",
            "The driver's own add routine: it takes free descriptors, fills them, and makes "
            "the buffer available in one go (§2.7.13, §2.8.21).",
            (
                ParamSpec("out_lens", "str", "device-readable lengths", default=""),
                ParamSpec("in_lens", "str", "device-writable lengths", default=""),
                ParamSpec("indirect", "bool", "use an indirect table", default=False),
            ),
        ),
        *driver,
        ActionSpec(
            "kick",
            "notify the device",
            "The driver sends an available buffer notification (§2.9). With check, it "
            "first asks whether the device wants one, as virtqueue_kick() does.",
            (_check("check", "only if not suppressed"),),
        ),
        ActionSpec(
            "device_fetch",
            "device: take the next buffer",
            "The device reads the next available buffer and walks its descriptors.",
        ),
        use,
        *device,
        ActionSpec(
            "interrupt",
            "notify the driver",
            "The device sends a used buffer notification (§2.3). With check, it first "
            "asks whether the driver wants one.",
            (_check("check", "only if not suppressed"),),
        ),
        ActionSpec(
            "driver_get_used",
            "driver: take a used buffer",
            "The driver reads the next used buffer and puts its descriptors back on its "
            "free list. It only knows buffers it added with add_buffer.",
        ),
        ActionSpec(
            "reset_queue",
            "reset the queue",
            f"Both sides start over with a fresh, empty {size}-entry queue.",
        ),
    ]


def split_specs(size: int) -> tuple[ActionSpec, ...]:
    index = ParamSpec("index", "int", "descriptor index", minimum=0, maximum=size - 1)
    write = ActionSpec(
        "write_descriptor",
        "write a descriptor",
        "The driver writes one entry of the descriptor table, exactly as given (§2.7.5).",
        (
            index,
            ParamSpec("addr", "int", "addr", minimum=0, maximum=MAX_U64),
            ParamSpec("len", "int", "len", minimum=0, maximum=MAX_U32),
            _u16("flags", "flags (NEXT 1, WRITE 2, INDIRECT 4)", 0),
            _u16("next", "next", 0),
        ),
    )
    driver_side = (
        ActionSpec(
            "write_avail_slot",
            "write an avail ring slot",
            "The driver writes a head into avail.ring[slot] without publishing it (§2.7.6).",
            (
                ParamSpec("slot", "int", "slot", minimum=0, maximum=size - 1),
                _u16("head", "head"),
            ),
        ),
        ActionSpec(
            "publish",
            "publish a head",
            "The driver puts a head in the next avail ring slot and moves avail.idx on by "
            "one (§2.7.13.2, §2.7.13.3).",
            (_u16("head", "head"),),
        ),
        ActionSpec(
            "set_avail_idx",
            "set avail.idx",
            "The driver writes avail.idx (§2.7.6).",
            (_u16("value", "avail.idx"),),
        ),
        ActionSpec(
            "set_avail_flags",
            "set avail.flags",
            "The driver writes avail.flags (§2.7.7).",
            (_u16("value", "avail.flags"),),
        ),
        ActionSpec(
            "set_used_event",
            "set used_event",
            "The driver writes used_event (§2.7.7).",
            (_u16("value", "used_event"),),
        ),
    )
    device_side = (
        ActionSpec(
            "set_used_flags",
            "set used.flags",
            "The device writes used.flags (§2.7.10).",
            (_u16("value", "used.flags"),),
        ),
        ActionSpec(
            "set_avail_event",
            "set avail_event",
            "The device writes avail_event (§2.7.10).",
            (_u16("value", "avail_event"),),
        ),
    )
    use = ActionSpec(
        "use_buffer",
        "device: use a buffer",
        "The device returns a head through the used ring with a used len, in any order (§2.7.8).",
        (
            ParamSpec("head", "int", "head (used id)", minimum=0, maximum=MAX_U32),
            ParamSpec("len", "int", "bytes written", minimum=0, maximum=MAX_U32, default=0),
        ),
    )
    return (write, *_common(size, use, driver_side, device_side))


def packed_specs(size: int) -> tuple[ActionSpec, ...]:
    write = ActionSpec(
        "write_descriptor",
        "write a descriptor",
        "The driver writes one slot of the descriptor ring, all 16 bytes at once (§2.8.13). "
        "With mark 'available' or 'used' the lab adds the AVAIL/USED bits of that wrap "
        "counter to flags (§2.8.1); with 'raw' flags are written as given.",
        (
            ParamSpec("index", "int", "ring slot", minimum=0, maximum=size - 1),
            ParamSpec("addr", "int", "addr", minimum=0, maximum=MAX_U64),
            ParamSpec("len", "int", "len", minimum=0, maximum=MAX_U32),
            _u16("id", "buffer id", 0),
            _u16("flags", "flags (NEXT 1, WRITE 2, INDIRECT 4, AVAIL 0x80, USED 0x8000)", 0),
            ParamSpec(
                "mark", "choice", "mark as", choices=("raw", "available", "used"), default="raw"
            ),
            ParamSpec("wrap", "int", "wrap counter", minimum=0, maximum=1, default=1),
        ),
    )
    driver_event, device_event = (
        ActionSpec(
            kind,
            label,
            f"The {who} writes its event suppression structure (§2.8.14): flags ENABLE 0, "
            "DISABLE 1, DESC 2 (with off and wrap).",
            (
                ParamSpec("off", "int", "desc_event_off", minimum=0, maximum=0x7FFF, default=0),
                ParamSpec("wrap", "int", "desc_event_wrap", minimum=0, maximum=1, default=0),
                _u16("flags", "flags"),
            ),
        )
        for kind, label, who in (
            ("set_driver_event", "set the driver event structure", "driver"),
            ("set_device_event", "set the device event structure", "device"),
        )
    )
    use = ActionSpec(
        "use_buffer",
        "device: use a buffer",
        "The device writes one used descriptor for a buffer id at its next used slot and "
        "skips the slots the buffer took (§2.8.4). slots 0: as many as the buffer took "
        "when the device fetched it (1 if it never did).",
        (
            _u16("id", "buffer id"),
            ParamSpec("len", "int", "bytes written", minimum=0, maximum=MAX_U32, default=0),
            ParamSpec("slots", "int", "slots", minimum=0, maximum=size, default=0),
        ),
    )
    return (write, *_common(size, use, (driver_event,), (device_event,)))


# -- the flat string parameters ----------------------------------------------------------------
def _number(field: str, text: str, what: str) -> int:
    cleaned = text.strip().replace("_", "")
    try:
        value = int(cleaned, 16) if cleaned.lower().startswith("0x") else int(cleaned, 10)
    except ValueError:
        raise ActionError(field, f"{what}: expected a number, got {text.strip()!r}") from None
    if value < 0:
        raise ActionError(field, f"{what}: expected a number >= 0, got {value}")
    return value


def parse_entries(text: str, fields: int) -> list[tuple[int, ...]]:
    """'addr:len:flags:next; ...' (fields=4) or 'addr:len:flags; ...' (fields=3)."""
    names = ("addr", "len", "flags", "next")[:fields]
    limits = (MAX_U64, MAX_U32, MAX_U16, MAX_U16)
    parts = text.split(";")
    if parts and not parts[-1].strip():
        parts.pop()  # a trailing ';' is allowed
    if not parts:
        raise ActionError("entries", "an indirect table needs at least one entry")
    if len(parts) > MAX_TABLE_ENTRIES:
        raise ActionError("entries", f"at most {MAX_TABLE_ENTRIES} entries, got {len(parts)}")
    entries = []
    for number, part in enumerate(parts):
        pieces = part.split(":")
        if len(pieces) != fields:
            raise ActionError(
                "entries", f"entry {number}: expected {':'.join(names)}, got {part.strip()!r}"
            )
        values = []
        for name, piece, limit in zip(names, pieces, limits, strict=False):
            value = _number("entries", piece, f"entry {number} {name}")
            if value > limit:
                raise ActionError("entries", f"entry {number} {name}: {value} is too wide")
            values.append(value)
        entries.append(tuple(values))
    return entries


def parse_lens(field: str, text: str) -> list[int]:
    """'12, 1514' -> [12, 1514]; '' -> []."""
    if not text.strip():
        return []
    lens = [_number(field, piece, "length") for piece in text.split(",")]
    for length in lens:
        if length > MAX_ELEMENT:
            raise ActionError(field, f"an element holds at most {MAX_ELEMENT} bytes here")
    return lens
