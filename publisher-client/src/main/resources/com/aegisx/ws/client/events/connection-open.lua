-- Writes a connection's record: its hash and channel set; 'connected' when the hash is new and
-- 'subscribed' for each channel newly added (a re-registration after a sweep reports them again,
-- after the sweep's 'disconnected').
-- KEYS: connection hash, its channel set, the shard's event stream.
-- ARGV: emit (1|0), cap, by, connectionId, nodeId, userId ('' if none), n, n field/value pairs, channels...
local new = redis.call('EXISTS', KEYS[1]) == 0
local n = tonumber(ARGV[7])
redis.call('HSET', KEYS[1], unpack(ARGV, 8, 7 + 2 * n))
local added = {}
for i = 8 + 2 * n, #ARGV do
  if redis.call('SADD', KEYS[2], ARGV[i]) == 1 then
    added[#added + 1] = ARGV[i]
  end
end
if ARGV[1] == '1' then
  if new then
    emit(KEYS[3], ARGV[2], ARGV[3], 'connected', ARGV[4], ARGV[5], ARGV[6], {})
  end
  for _, channel in ipairs(added) do
    emit(KEYS[3], ARGV[2], ARGV[3], 'subscribed', ARGV[4], ARGV[5], ARGV[6], {'channel', channel})
  end
end
if new then return 1 end
return 0
