-- History read: the channel's position, and the messages after a client's position when the
-- history still covers it. Creates the epoch when the channel has none yet, so every position a
-- node hands out names a real epoch.
--
-- KEYS[1]  <prefix>:hist:{<channel>}        KEYS[2]  <prefix>:hist-meta:{<channel>}
-- ARGV[1]  since offset ('' : position only)    ARGV[2]  since epoch
-- ARGV[3]  most messages to return: a gap larger than this is not recovered
-- ARGV[4]  TTL of the history in ms for a newly created epoch (0: none)
-- Returns {epoch, top, recovered (1/0), text1, exclude1, text2, exclude2, ...} (exclude '' if none).
--
-- A stream that expired (nothing published for TTL) while its meta lives on (history-publish.lua
-- keeps the meta EPOCH_GRACE_MS longer) keeps the epoch: a position at the top is recovered (there
-- was nothing to miss), one below it is not (the entries are gone).
local EPOCH_GRACE_MS = 86400000

local epoch = redis.call('HGET', KEYS[2], 'epoch')
local top = tonumber(redis.call('HGET', KEYS[2], 'top') or 0) or 0
if not epoch then
  local now = redis.call('TIME')
  epoch = now[1] .. string.format('%06d', tonumber(now[2]))
  top = 0
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'epoch', epoch, 'top', 0)
  local ttl = tonumber(ARGV[4]) or 0
  if ttl > 0 then
    redis.call('PEXPIRE', KEYS[2], ttl + EPOCH_GRACE_MS)
  end
end
local result = {epoch, top, 0}
local since = tonumber(ARGV[1])
if not since or ARGV[2] ~= epoch or since < 0 or since > top then
  return result
end
local wanted = top - since
if wanted == 0 then
  result[3] = 1
  return result
end
if wanted > (tonumber(ARGV[3]) or 0) then
  return result
end
local entries = redis.call('XRANGE', KEYS[1], '(0-' .. since, '+', 'COUNT', wanted)
if #entries ~= wanted or entries[1][1] ~= '0-' .. (since + 1) then
  return result -- trimmed past the position
end
result[3] = 1
for _, entry in ipairs(entries) do
  local fields = entry[2]
  local text, exclude = '', ''
  for i = 1, #fields, 2 do
    if fields[i] == 'm' then
      text = fields[i + 1]
    elseif fields[i] == 'x' then
      exclude = fields[i + 1]
    end
  end
  result[#result + 1] = text
  result[#result + 1] = exclude
end
return result
