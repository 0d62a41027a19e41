-- Removes a connection's hash and channel set; the caller whose DEL removed the hash (the node
-- closing the socket, or the one sweeping its dead node: never both) writes 'disconnected' with
-- the code, the reason and the channels it had, after an 'unsubscribed' for each of those channels.
-- Returns 1 for that caller, else 0.
-- KEYS: connection hash, its channel set, the shard's event stream.
-- ARGV: emit (1|0), cap, by, connectionId, code, reason
local who = redis.call('HMGET', KEYS[1], 'nodeId', 'userId')
local channels = redis.call('SMEMBERS', KEYS[2])
redis.call('DEL', KEYS[2])
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
if ARGV[1] == '1' then
  table.sort(channels)
  -- Every subscribed gets its unsubscribed, also when the connection goes (or is swept) with it.
  for _, channel in ipairs(channels) do
    emit(KEYS[3], ARGV[2], ARGV[3], 'unsubscribed', ARGV[4], who[1], who[2], {'channel', channel})
  end
  local extra = {}
  if #channels > 0 then
    extra = {'channels', table.concat(channels, ',')}
  end
  extra[#extra + 1] = 'code'
  extra[#extra + 1] = ARGV[5]
  extra[#extra + 1] = 'reason'
  extra[#extra + 1] = ARGV[6]
  emit(KEYS[3], ARGV[2], ARGV[3], 'disconnected', ARGV[4], who[1], who[2], extra)
end
return 1
