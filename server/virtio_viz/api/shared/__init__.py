"""The stores of several workers (on one host or many) sharing one Redis: `serve --redis`.

Rooms (record, position, moves over pub/sub), session records and the rate and size
counters live in Redis; each worker keeps only caches (built timelines, its own
connections). Only this package imports redis, and only when `--redis` is given.
"""

from virtio_viz.api.shared.counters import RedisCounters
from virtio_viz.api.shared.link import Link, Unavailable
from virtio_viz.api.shared.rooms import RedisRooms
from virtio_viz.api.shared.sessions import RedisSessions

__all__ = ["Link", "RedisCounters", "RedisRooms", "RedisSessions", "Unavailable"]
