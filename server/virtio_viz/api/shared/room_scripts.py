"""The Lua scripts that keep a room's record in Redis (shared/rooms.py says how).

Each runs whole, so two workers never interleave half a change; each takes its time
from Redis (TIME), so hosts whose clocks differ agree on deadlines. KEYS[1] is the
sorted set of every room by deadline (it counts them against `max_rooms`), KEYS[2] the
room's record.
"""

from __future__ import annotations

# ARGV: max rooms, time to live, code, token digest. 0: made; 1: full; 2: the code is taken
CREATE = """
local now = tonumber(redis.call('TIME')[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 1 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
redis.call('HSET', KEYS[2], 'token', ARGV[4], 'presented', '0', 'seq', '0')
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
return 0
"""

# ARGV: code, time to live unjoined, once presented, '1' if the presenter joins now.
# 0: no such room
RENEW = """
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
if ARGV[4] == '1' then redis.call('HSET', KEYS[2], 'presented', '1') end
local ttl = tonumber(ARGV[2])
if redis.call('HGET', KEYS[2], 'presented') == '1' then ttl = tonumber(ARGV[3]) end
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('ZADD', KEYS[1], tonumber(redis.call('TIME')[1]) + ttl, ARGV[1])
return 1
"""

# The presenter moved. ARGV: code, time to live, channel, worker, position, playing,
# speed, recipe digest, recipe ('' when the record has it), token digest and presented
# and seq (to make the record again; token '': do not). The new seq, or -1: the record
# is missing, or holds another recipe, and the caller must send the whole show.
MOVE = """
if redis.call('EXISTS', KEYS[2]) == 0 then
  if ARGV[10] == '' then return -1 end
  redis.call('HSET', KEYS[2], 'token', ARGV[10], 'presented', ARGV[11], 'seq', ARGV[12])
end
if ARGV[9] ~= '' then
  redis.call('HSET', KEYS[2], 'recipe', ARGV[9], 'recipe_digest', ARGV[8])
elseif redis.call('HGET', KEYS[2], 'recipe_digest') ~= ARGV[8] then
  return -1
end
local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
redis.call('HSET', KEYS[2], 'position', ARGV[5], 'playing', ARGV[6], 'speed', ARGV[7])
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[1], tonumber(redis.call('TIME')[1]) + tonumber(ARGV[2]), ARGV[1])
redis.call('PUBLISH', ARGV[3], cjson.encode({worker = ARGV[4], seq = seq, digest = ARGV[8],
  position = tonumber(ARGV[5]), playing = ARGV[6] == '1', speed = tonumber(ARGV[7])}))
return seq
"""

# Redis came back, perhaps empty: make the record again from what a worker holds, unless
# it exists. ARGV: code, time to live unjoined, once presented, token digest, presented,
# seq, then the show's fields and values (none if the room has no session yet).
RESTORE = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('HSET', KEYS[2], 'token', ARGV[4], 'presented', ARGV[5], 'seq', ARGV[6])
if #ARGV > 6 then redis.call('HSET', KEYS[2], unpack(ARGV, 7)) end
local ttl = tonumber(ARGV[2])
if ARGV[5] == '1' then ttl = tonumber(ARGV[3]) end
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('ZADD', KEYS[1], tonumber(redis.call('TIME')[1]) + ttl, ARGV[1])
return 1
"""
