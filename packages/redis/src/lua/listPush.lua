-- listPush: a visitor's push subscriptions that have not expired at ARGV[1], dropping the
-- expired ones.
-- KEYS: 1 push subscriptions
-- ARGV: 1 at
-- Returns: flat { endpoint, "expiresAt|savedAt|p256dh|auth", … }
local key, at = KEYS[1], tonumber(ARGV[1])
local all = redis.call('HGETALL', key)
local live = {}
for i = 1, #all, 2 do
  if tonumber(string.match(all[i + 1], '^(%d+)|')) <= at then
    redis.call('HDEL', key, all[i])
  else
    live[#live + 1] = all[i]
    live[#live + 1] = all[i + 1]
  end
end
return live
