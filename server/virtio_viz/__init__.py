"""virtio-viz: an interactive, byte-accurate visualizer of virtio."""

__version__ = "0.1.0"
