"""Errors the model raises for impossible requests.

A caller that asks for something no real system could express (a queue of size 3,
an access outside guest memory, a register that does not exist) gets one of these,
raised before any state changes. Things a real driver or device *could* do but the
spec forbids are not errors: they become `Violation` events (see `events.py`).
"""


class ModelError(Exception):
    """Base class: the request cannot be carried out; model state is unchanged."""


class MemoryFault(ModelError):
    """An access touches guest-physical addresses that no memory region backs."""

    def __init__(self, addr: int, length: int) -> None:
        super().__init__(f"guest-physical range 0x{addr:x}+{length} is not backed by memory")
        self.addr = addr
        self.length = length


class ConfigError(ModelError):
    """A parameter is impossible (queue size 0, unaligned ring, unknown register...)."""
