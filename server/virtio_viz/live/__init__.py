"""A real Linux guest whose virtio-net virtio-viz serves over vhost-user (docs/live.md)."""

MEMORY_CHOICES = (128, 256, 512, 1024)  # MiB of guest RAM a VM may have (here: the CLI
# lists them without loading the VM code)
