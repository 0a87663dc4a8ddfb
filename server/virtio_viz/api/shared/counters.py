"""The rate and size counters of every worker, counted together in Redis.

How this works: a windowed count (`hit`) is one Redis key, INCR'd, that expires when its
window ends. A level (`adjust`: connections open, builds running) is one hash per key
with a field per worker holding that worker's own level: a worker sets its field (never
adds to another's), and the total is the sum over the workers still alive (link.py's
heartbeat), so the connections of a worker that died stop counting within seconds and
nothing drifts. While Redis is away the counts fall back to this worker's own, and when
it is back every level this worker holds is written again.
"""

from __future__ import annotations

from virtio_viz.api.limits import MemoryCounters
from virtio_viz.api.shared.link import PREFIX, WORKERS, Link, Unavailable

LEVEL_SECONDS = 24 * 3600  # a level hash nobody touched for a day is gone
WINDOW = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
"""
LEVEL = """
local now = tonumber(redis.call('TIME')[1])
if tonumber(ARGV[2]) > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
local total, fields = 0, redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local deadline = redis.call('ZSCORE', KEYS[2], fields[i])
  if deadline and tonumber(deadline) >= now then
    total = total + tonumber(fields[i + 1])
  else
    redis.call('HDEL', KEYS[1], fields[i])
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return total
"""


class RedisCounters:
    def __init__(self, link: Link) -> None:
        self.link = link
        self.alone = MemoryCounters()  # while Redis is away
        self._levels: dict[str, int] = {}  # this worker's own share of each level
        link.listeners.append(self)

    async def hit(self, key: str, window: float) -> int:
        try:
            return int(await self.link.script(WINDOW, [PREFIX + "hits:" + key],
                                              [max(1, round(window * 1000))]))  # fmt: skip
        except Unavailable:
            return await self.alone.hit(key, window)

    async def count(self, key: str, window: float) -> int:
        try:
            return int(await self.link.call(lambda redis: redis.get(PREFIX + "hits:" + key)) or 0)
        except Unavailable:
            return await self.alone.count(key, window)

    async def adjust(self, key: str, delta: int) -> int:
        level = max(0, self._levels.get(key, 0) + delta)
        if level:
            self._levels[key] = level
        else:
            self._levels.pop(key, None)
        try:
            return await self._write(key, level)
        except Unavailable:
            return level

    async def _write(self, key: str, level: int) -> int:
        keys = [PREFIX + "level:" + key, WORKERS]
        return int(await self.link.script(LEVEL, keys, [self.link.worker, level, LEVEL_SECONDS]))

    async def on_up(self) -> None:
        """Redis is back (perhaps empty): write this worker's levels again."""
        for key, level in list(self._levels.items()):
            try:
                await self._write(key, level)
            except Unavailable:
                return

    async def on_down(self) -> None:
        pass
