-- markAway: turns a hidden visitor away if it has stayed hidden since `hiddenSince`.
-- KEYS: 1 visitor
-- ARGV: 1 hidden since (ms, as the registry wrote it)
-- Returns: 1 if it did, else 0.
local state = redis.call('HMGET', KEYS[1], 'v', 'h')
if state[1] ~= 'hidden' or state[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', 'away')
return 1
