"""The vhost family: how a virtio data plane moves out of the VMM.

- `structs`  the argument structures of linux/vhost_types.h, with exact byte layouts
- `kernel`   the vhost ioctls (vhost-net, vhost-vdpa), numbers built like Linux's _IOC
- `user`     vhost-user messages (QEMU docs/interop/vhost-user.rst): `Message`, `decode()`;
  its ids, flags and reply / fd rules in `user_requests`, payloads in `user_payloads`,
  narration in `user_text`
- `memtable` the memory table a back-end uses to turn guest addresses into its own

Everything here is a value: encoders, decoders and lookups, no sockets and no fds.
"""
