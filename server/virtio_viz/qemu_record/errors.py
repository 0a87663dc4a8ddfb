"""The one error a recording raises: something on the host is missing or went wrong."""

from __future__ import annotations


class RecordError(Exception):
    """Printed as one line by the CLI (`virtio-viz: what`), exit status 2."""
