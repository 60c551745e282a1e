"""The shared limits and flights of store.limits, on Redis (``QA_REDIS_URL``):
the only module that talks to Redis.

Each step is one Lua script, which Redis runs atomically, so no two processes
interleave on a key. Times come from the Redis server's own clock (``TIME``),
so the processes' clocks do not matter. Keys expire by themselves: a limiter's
window, a flight's lease (its owner died) or its outcome's keep time.
"""

from __future__ import annotations

import uuid

import redis

from qa_service.store.limits import Decision, FlightState

PREFIX = "qa:"

# KEYS[1] = the hits (a sorted set scored by time); ARGV = limit, window (ms), count (1 or 0), member.
_HIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, window, count = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local hits = redis.call('ZCARD', KEYS[1])
if hits >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window - now, hits}
end
if count == 1 then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  hits = hits + 1
end
return {1, 0, hits}
"""

# KEYS[1] = the flight (a hash: owner, outcome); ARGV = owner, lease (ms).
_CLAIM = """
local owner = redis.call('HGET', KEYS[1], 'owner')
local outcome = redis.call('HEXISTS', KEYS[1], 'outcome')
if owner and owner ~= ARGV[1] and outcome == 0 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'owner', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""

# ARGV = owner, lease (ms)
_RENEW = """
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] or redis.call('HEXISTS', KEYS[1], 'outcome') == 1 then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""

# ARGV = owner, outcome, keep (ms)
_FINISH = """
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'outcome', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""

# ARGV = owner
_RELEASE = """
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] and redis.call('HEXISTS', KEYS[1], 'outcome') == 0 then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def connect(url: str) -> redis.Redis:
    """A client (a connection pool, safe across threads) that fails fast when
    Redis is down instead of hanging a request."""
    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, decode_responses=True)
    client.ping()
    return client


class RedisLimiter:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._hit = client.register_script(_HIT)

    def hit(self, key: str, limit: int, window: float) -> Decision:
        return self._run(key, limit, window, 1)

    def peek(self, key: str, limit: int, window: float) -> Decision:
        return self._run(key, limit, window, 0)

    def reset(self, key: str) -> None:
        self.client.delete(PREFIX + "rate:" + key)

    def undo(self, key: str, hit_id: str) -> None:
        if hit_id:
            self.client.zrem(PREFIX + "rate:" + key, hit_id)

    def _run(self, key: str, limit: int, window: float, count: int) -> Decision:
        member = uuid.uuid4().hex
        allowed, wait_ms, hits = self._hit(keys=[PREFIX + "rate:" + key],
                                           args=[limit, int(window * 1000), count, member])
        if not allowed:
            return Decision(False, max(0.001, int(wait_ms) / 1000), int(hits))
        return Decision(True, 0.0, int(hits), member if count else "")


class RedisFlights:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._claim = client.register_script(_CLAIM)
        self._renew = client.register_script(_RENEW)
        self._finish = client.register_script(_FINISH)
        self._release = client.register_script(_RELEASE)

    @staticmethod
    def _key(key: str) -> str:
        return PREFIX + "flight:" + key

    def claim(self, key: str, owner: str, lease: float) -> bool:
        return bool(self._claim(keys=[self._key(key)], args=[owner, int(lease * 1000)]))

    def renew(self, key: str, owner: str, lease: float) -> bool:
        return bool(self._renew(keys=[self._key(key)], args=[owner, int(lease * 1000)]))

    def finish(self, key: str, owner: str, outcome: str, keep: float) -> None:
        self._finish(keys=[self._key(key)], args=[owner, outcome, int(keep * 1000)])

    def release(self, key: str, owner: str) -> None:
        self._release(keys=[self._key(key)], args=[owner])

    def state(self, key: str) -> FlightState:
        found = self.client.hgetall(self._key(key))
        if not found:
            return FlightState("free")
        if "outcome" in found:
            return FlightState("done", found["outcome"])
        return FlightState("running")
