-- beat: a node says it is alive.
-- KEYS: 1 its alive key, 2 nodes
-- ARGV: 1 node ID, 2 time to live (ms)
-- Returns: 1 if the node was alive already, 0 if it was not (first beat, Redis restarted
--          empty, or the node had been given up for dead).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local was = redis.call('SET', KEYS[1], now, 'PX', ARGV[2], 'GET')
redis.call('ZADD', KEYS[2], now, ARGV[1])
if was then return 1 end
return 0
