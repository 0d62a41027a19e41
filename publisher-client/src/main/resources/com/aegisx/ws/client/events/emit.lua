-- Shared head of the index scripts: appends one lifecycle event to the shard's stream (XADD MAXLEN ~).
-- The stream is a KEY of the calling script, in the same slot as the index keys it changes, so the
-- event and the change it reports are one atomic step. 'at' is Redis' own clock (epoch ms).
local function emit(stream, cap, by, kind, connectionId, nodeId, userId, extra)
  local t = redis.call('TIME')
  local at = string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
  local f = {'type', kind, 'at', at, 'connectionId', connectionId or '', 'nodeId', nodeId or ''}
  if userId and userId ~= '' then
    f[#f + 1] = 'userId'
    f[#f + 1] = userId
  end
  for i = 1, #extra do
    f[#f + 1] = extra[i]
  end
  f[#f + 1] = 'by'
  f[#f + 1] = by
  redis.call('XADD', stream, 'MAXLEN', '~', cap, '*', unpack(f))
end
