-- Writes a due user_offline, once: the zset entry goes in the same step. Returns 1 when written,
-- -1 when not due yet by Redis' clock, 0 when nothing is pending (or the user came back).
-- KEYS: user index, user presence, shard offline-due zset, shard event stream.
-- ARGV: by, userId
local due = redis.call('ZSCORE', KEYS[3], ARGV[2])
if not due then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now < tonumber(due) then return -1 end
redis.call('ZREM', KEYS[3], ARGV[2])
if redis.call('HLEN', KEYS[1]) > 0 then return 0 end
local last = redis.call('HMGET', KEYS[2], 'state', 'connectionId', 'nodeId', 'cap')
if last[1] ~= 'left' then return 0 end
redis.call('DEL', KEYS[2])
emit(KEYS[4], last[4] or '1000', ARGV[1], 'user_offline', last[2], last[3], ARGV[2], {})
return 1
