-- Adds a channel to a connection's set (or removes it), with 'subscribed' ('unsubscribed') when the
-- set changed. A connection whose hash is gone (closed, or swept) gets no channel: returns -1.
-- KEYS: connection hash, its channel set, the shard's event stream.
-- ARGV: emit (1|0), cap, by, connectionId, channel, add (1|0)
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[6] == '1' then return -1 end
  return redis.call('SREM', KEYS[2], ARGV[5])
end
local changed
if ARGV[6] == '1' then
  changed = redis.call('SADD', KEYS[2], ARGV[5])
else
  changed = redis.call('SREM', KEYS[2], ARGV[5])
end
if changed == 1 and ARGV[1] == '1' then
  local who = redis.call('HMGET', KEYS[1], 'nodeId', 'userId')
  local kind = 'unsubscribed'
  if ARGV[6] == '1' then kind = 'subscribed' end
  emit(KEYS[3], ARGV[2], ARGV[3], kind, ARGV[4], who[1], who[2], {'channel', ARGV[5]})
end
return changed
