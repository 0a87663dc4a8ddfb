"""Pickling and copying the model's frozen dataclasses, compiled or not.

How this works: pickle and `copy` rebuild a slotted dataclass by making an empty instance
and storing its fields one by one. A frozen dataclass compiled by mypyc (setup.py) refuses
those stores, so the classes named here are registered with `copyreg` instead: each is
rebuilt by calling its class with its fields as keywords, which is what a frozen dataclass
accepts either way, and gives an equal object.

The few frozen dataclasses made for every buffer (`Buffer`, `Chain`, `UsedBuffer`, what a
driver remembers of a buffer in flight) write their `__init__` by hand, one
`object.__setattr__(self, name, value)` per field, which is what the generated one does.
Compiled, mypyc turns those calls into plain stores into the object's fields, where the
generated `__init__` stays interpreted Python: about a tenth of the cost of each object.
The dataclass still gives equality, hashing, `repr` and `fields()`.
"""

from __future__ import annotations

import copyreg
from dataclasses import fields
from typing import Any


def _rebuilt(cls: type, values: dict[str, Any]) -> Any:
    return cls(**values)


def _by_fields(obj: Any) -> tuple[Any, tuple[type, dict[str, Any]]]:
    return _rebuilt, (type(obj), {f.name: getattr(obj, f.name) for f in fields(obj) if f.init})


def pickled_by_fields(*classes: type) -> None:
    """Pickle and copy these frozen dataclasses by calling them with their fields."""
    for cls in classes:
        copyreg.pickle(cls, _by_fields)
