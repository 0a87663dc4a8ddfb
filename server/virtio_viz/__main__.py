"""`python -m virtio_viz`: the same command as `virtio-viz`."""

from virtio_viz.cli import main

raise SystemExit(main())
