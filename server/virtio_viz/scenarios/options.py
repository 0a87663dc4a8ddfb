"""The knobs a reader (or a scenario file) may turn before a story runs.

`StoryOptions.parse()` takes untrusted input (a URL query, a websocket message, a YAML
file) and either returns valid options or raises `OptionError` naming the field, so the
caller can point at it. Nothing here touches the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Literal, TypeVar

from virtio_viz.model.features import BLK, GENERIC, NET

TransportKind = Literal["pci", "mmio", "ccw"]
RingFormat = Literal["split", "packed"]

MAX_QUEUE_SIZE = 32768  # virtio-1.2 §2.7: a split queue holds at most 32768 descriptors
KNOWN_FEATURES = frozenset(f.name for table in (GENERIC, NET, BLK) for f in table.values())


class OptionError(ValueError):
    """An option cannot be used. `field` names it (e.g. "queue_size")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryOptions:
    """How to run a story.

    `queue_size` is what the device offers for its data queues (QEMU's virtio-net
    offers 256; the stories default to 16 so a refill fits on a screen).
    `initial_index` starts the ring lab's indices near the 16-bit wrap.
    `declined` are features the driver turns down; `refused` are features whose
    acceptance the device refuses (it then does not latch FEATURES_OK).
    """

    transport: TransportKind = "pci"
    ring: RingFormat = "split"
    queue_size: int = 16
    event_idx: bool = True
    initial_index: int = 0
    declined: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: Mapping[str, object] | None) -> StoryOptions:
        raw = dict(raw or {})
        unknown = sorted(set(raw) - set(cls.__dataclass_fields__))
        if unknown:
            raise OptionError(unknown[0], f"unknown option; known: {', '.join(_NAMES)}")
        return cls(
            transport=_choice(raw, "transport", ("pci", "mmio", "ccw"), "pci"),
            ring=_choice(raw, "ring", ("split", "packed"), "split"),
            queue_size=_queue_size(raw.get("queue_size", 16)),
            event_idx=_flag(raw, "event_idx", default=True),
            initial_index=_integer(raw, "initial_index", 0, 0xFFFF, 0),
            declined=_features(raw, "declined"),
            refused=_features(raw, "refused"),
        )

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["declined"] = list(self.declined)
        data["refused"] = list(self.refused)
        return data


_NAMES = tuple(StoryOptions.__dataclass_fields__)


T = TypeVar("T", bound=str)


def _choice(raw: Mapping[str, object], name: str, allowed: tuple[T, ...], default: T) -> T:
    value = raw.get(name, default)
    for choice in allowed:
        if value == choice:
            return choice
    raise OptionError(name, f"expected one of {', '.join(allowed)}, got {value!r}")


def _flag(raw: Mapping[str, object], name: str, *, default: bool) -> bool:
    value = raw.get(name, default)
    if not isinstance(value, bool):
        raise OptionError(name, f"expected true or false, got {value!r}")
    return value


def _integer(raw: Mapping[str, object], name: str, low: int, high: int, default: int) -> int:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise OptionError(name, f"expected an integer, got {value!r}")
    if not low <= value <= high:
        raise OptionError(name, f"expected {low}..{high}, got {value}")
    return value


def _queue_size(value: object) -> int:
    size = _integer({"queue_size": value}, "queue_size", 1, MAX_QUEUE_SIZE, 16)
    if size & (size - 1):  # virtio-1.2 §2.7: a split queue's size is a power of 2
        raise OptionError("queue_size", f"expected a power of 2 up to {MAX_QUEUE_SIZE}, got {size}")
    return size


def _features(raw: Mapping[str, object], name: str) -> tuple[str, ...]:
    value = raw.get(name, ())
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise OptionError(name, "expected a list of feature names")
    unknown = [v for v in value if v not in KNOWN_FEATURES]
    if unknown:
        raise OptionError(name, f"unknown feature {unknown[0]!r}")
    return tuple(sorted(set(value)))
