"""Host configurations: the QEMU command line and libvirt domain XML that build a
scenario's architecture on a real machine, generated from the options that drive the
model (`plan.py`), with notes on what this machine can and cannot run.

`host_config(scenario_id, options)` is the one entry point; the CLI (`virtio-viz host`)
and the REST endpoint (`GET /api/host/{scenario}`) only render its result. `catalog()`
says which scenarios have one, on which transports.

Its entry points load on first use (from `generate.py`), so `virtio-viz --help`, which
imports the package's `cli`, does not load the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from virtio_viz.hostconfig.generate import HostConfig, HostConfigError, catalog, host_config

__all__ = ["HostConfig", "HostConfigError", "catalog", "host_config"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from virtio_viz.hostconfig import generate  # noqa: PLC0415

        return getattr(generate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
