-- Adds a connection to its user's index and the user to the shard's online set. With events on,
-- 'user_online' when the user was offline: not when the user came back within the grace period
-- (then the pending user_offline is cancelled instead).
-- KEYS: user index, user presence, shard online set, shard offline-due zset, shard event stream.
-- ARGV: emit (1|0), cap, by, connectionId, nodeId, userId, grace ms
redis.call('HSET', KEYS[1], ARGV[4], ARGV[5])
redis.call('SADD', KEYS[3], ARGV[6])
if ARGV[1] ~= '1' then return 0 end
local was = redis.call('HGET', KEYS[2], 'state')
redis.call('HSET', KEYS[2], 'state', 'on', 'connectionId', ARGV[4], 'nodeId', ARGV[5], 'cap', ARGV[2],
  'grace', ARGV[7])
redis.call('ZREM', KEYS[4], ARGV[6])
if was then return 0 end
emit(KEYS[5], ARGV[2], ARGV[3], 'user_online', ARGV[4], ARGV[5], ARGV[6], {})
return 1
