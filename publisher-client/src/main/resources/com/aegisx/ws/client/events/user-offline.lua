-- Writes a due user_offline, once: the zset entry goes in the same step. Returns 1 when written,
-- -1 when not due yet by Redis' clock (or not decidable yet), 0 when nothing is pending.
-- KEYS: user index, user presence, shard offline-due zset, shard event stream.
-- ARGV: by, userId, live node ids...
local due = redis.call('ZSCORE', KEYS[3], ARGV[2])
if not due then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now < tonumber(due) then return -1 end
local live = {}
for i = 3, #ARGV do live[ARGV[i]] = true end
local rest = redis.call('HGETALL', KEYS[1])
for i = 2, #rest, 2 do
  -- An entry of a live node: a reservation of an upgrade in flight (a registration cancels the
  -- pending offline, a failed upgrade releases the entry): decide later.
  if live[rest[i]] then return -1 end
end
redis.call('ZREM', KEYS[3], ARGV[2])
local last = redis.call('HMGET', KEYS[2], 'state', 'connectionId', 'nodeId', 'cap')
if last[1] ~= 'left' then return 0 end
redis.call('DEL', KEYS[2])
emit(KEYS[4], last[4] or '1000', ARGV[1], 'user_offline', last[2], last[3], ARGV[2], {})
return 1
