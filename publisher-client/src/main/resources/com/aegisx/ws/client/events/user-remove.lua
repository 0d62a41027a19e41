-- Removes a connection from its user's index. When it was the user's last one, the user leaves the
-- online set and, if the user is 'on', its user_offline becomes due after the grace period (a zset
-- in Redis: whichever node sweeps it first writes the event, even if this one dies meanwhile).
-- Idempotent: a sweeper may run it again for a connection the dying node half removed.
-- KEYS: user index, user presence, shard online set, shard offline-due zset.
-- ARGV: connectionId, userId, live node ids... (the grace period is the one the user's presence was written with)
redis.call('HDEL', KEYS[1], ARGV[1])
-- Only entries of live nodes keep the user online: a reservation left by a node that crashed
-- before registering is in no node's set, so no sweep would ever remove it.
local live = {}
for i = 3, #ARGV do live[ARGV[i]] = true end
local rest = redis.call('HGETALL', KEYS[1])
for i = 2, #rest, 2 do
  if live[rest[i]] then return 0 end
end
redis.call('SREM', KEYS[3], ARGV[2])
if redis.call('HGET', KEYS[2], 'state') ~= 'on' then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[2], 'state', 'left')
redis.call('ZADD', KEYS[4], now + tonumber(redis.call('HGET', KEYS[2], 'grace') or '0'), ARGV[2])
return 1
