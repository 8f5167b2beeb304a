-- savePush: saves a visitor's push subscription, keeping at most ARGV[6] of them.
-- The hash maps endpoint → "expiresAt|savedAt|p256dh|auth". Saved order is savedAt, then
-- the endpoint. Expired ones go first; then the ones saved longest ago, to make room. The
-- key expires with its last subscription (relative to the caller's clock, ARGV[5]).
-- KEYS: 1 push subscriptions
-- ARGV: 1 endpoint, 2 p256dh, 3 auth, 4 expiresAt, 5 at, 6 max per visitor
-- Returns: the evicted endpoints.
local key = KEYS[1]
local endpoint, at, max = ARGV[1], tonumber(ARGV[5]), tonumber(ARGV[6])
local all = redis.call('HGETALL', key)
local kept = {}
for i = 1, #all, 2 do
  local expires, saved = string.match(all[i + 1], '^(%d+)|(%d+)|')
  if tonumber(expires) <= at then
    redis.call('HDEL', key, all[i])
  elseif all[i] ~= endpoint then
    kept[#kept + 1] = { all[i], tonumber(saved) }
  end
end
table.sort(kept, function(a, b)
  if a[2] ~= b[2] then return a[2] < b[2] end
  return a[1] < b[1]
end)
local evicted = {}
local i = 1
while #kept - (i - 1) >= max do
  redis.call('HDEL', key, kept[i][1])
  evicted[#evicted + 1] = kept[i][1]
  i = i + 1
end
redis.call('HSET', key, endpoint, ARGV[4] .. '|' .. ARGV[5] .. '|' .. ARGV[2] .. '|' .. ARGV[3])
local latest = 0
for _, raw in ipairs(redis.call('HVALS', key)) do
  local expires = tonumber(string.match(raw, '^(%d+)|'))
  if expires > latest then latest = expires end
end
redis.call('PEXPIRE', key, latest - at)
return evicted
