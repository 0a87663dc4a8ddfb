"""virtio-viz: an interactive, byte-accurate visualizer of virtio."""

__version__ = "0.1.0"  # pyproject.toml's (tests/test_cli.py checks they agree)
GENERATOR = f"virtio-viz {__version__}"  # what a written trace names as its maker
