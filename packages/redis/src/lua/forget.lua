-- forget: drops a visitor with no open connection (whose last one closed at ARGV[3], if given).
-- The group's epoch counter stays, so epochs are never reused.
-- KEYS: 1 visitor, 2 connections, 3 group index, 4 gone
-- ARGV: 1 visitor ID, 2 `group:visitor`, 3 disconnected at or ''
-- Returns: 1 if it did, else 0.
local vkey = KEYS[1]
if redis.call('EXISTS', vkey) == 0 or redis.call('HLEN', KEYS[2]) > 0 then return 0 end
if ARGV[3] ~= '' and redis.call('HGET', vkey, 'd') ~= ARGV[3] then return 0 end
redis.call('DEL', vkey, KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[2])
return 1
