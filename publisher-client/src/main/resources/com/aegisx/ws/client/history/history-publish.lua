-- History publish: append a message to its channel's bounded stream, then publish it, in one
-- atomic step in the channel's slot (every key and the pub/sub channel carry the tag {channel}).
-- A message is in history exactly when it was published.
--
-- KEYS[1]  <prefix>:hist:{<channel>}        stream, entry id 0-<offset>, fields m (text), x (exclude)
-- KEYS[2]  <prefix>:hist-meta:{<channel>}   hash: epoch, top (the last offset given)
-- ARGV[1]  pub/sub channel <prefix>:ch:{<channel>}
-- ARGV[2]  the message: a JSON object (text; it is never re-encoded)
-- ARGV[3]  entries kept (default 100)
-- ARGV[4]  TTL of the history in ms, renewed by each publish (0 or absent: none)
-- ARGV[5]  connection id to skip ('' or absent: none)
-- ARGV[6]  'SPUBLISH' on Redis Cluster (sharded pub/sub); anything else: PUBLISH
-- Returns {offset, epoch, receivers}.
--
-- The delivered text is the message with ,"offset":<n>,"epoch":"<e>" appended before its closing
-- brace (the last members, so a publisher's leading channel/timestamp stay first). The epoch
-- changes whenever the history had to start over (its meta was lost: Redis restarted empty,
-- deletion, a quiet channel's meta expired); offsets count from 1 within an epoch.
--
-- The meta (epoch, top) outlives the stream by EPOCH_GRACE_MS: when the stream expires because
-- nothing was published for TTL, the channel keeps its epoch and top, so a client at the top
-- missed nothing and is told recovered:true; the next message continues the epoch at top + 1 in
-- a new stream. Only the loss of the meta itself (a restart that lost the data) starts a new epoch.
local message = ARGV[2]
local body = string.match(message, '^%s*{(.*)}%s*$')
if not body then
  return redis.error_reply('ERR message must be a JSON object')
end
local size = tonumber(ARGV[3]) or 100
local ttl = tonumber(ARGV[4]) or 0
local exclude = ARGV[5] or ''
local command = 'PUBLISH'
if ARGV[6] == 'SPUBLISH' then
  command = 'SPUBLISH'
end
if size < 1 then
  return redis.error_reply('ERR size must be at least 1')
end

local EPOCH_GRACE_MS = 86400000

local epoch = redis.call('HGET', KEYS[2], 'epoch')
local top = tonumber(redis.call('HGET', KEYS[2], 'top') or 0) or 0
if not epoch then
  local now = redis.call('TIME')
  epoch = now[1] .. string.format('%06d', tonumber(now[2]))
  top = 0
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'epoch', epoch)
end
top = top + 1
redis.call('HSET', KEYS[2], 'top', top)

local separator = ','
if string.match(body, '^%s*$') then
  separator = ''
end
local text = '{' .. body .. separator .. '"offset":' .. top .. ',"epoch":"' .. epoch .. '"}'
if exclude == '' then
  redis.call('XADD', KEYS[1], 'MAXLEN', size, '0-' .. top, 'm', text)
else
  redis.call('XADD', KEYS[1], 'MAXLEN', size, '0-' .. top, 'm', text, 'x', exclude)
end
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl + EPOCH_GRACE_MS)
end

local payload = text
if exclude ~= '' then
  payload = '{"__ws":{"exclude":' .. cjson.encode(exclude) .. '},"message":' .. text .. '}'
end
local receivers = redis.call(command, ARGV[1], payload)
return {top, epoch, receivers}
