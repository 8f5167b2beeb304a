-- expireGone: forgets a visitor whose last connection closed before the cutoff and whose
-- grace timer nobody runs any more (its process died or drained).
-- KEYS: 1 visitor, 2 connections, 3 group index, 4 gone
-- ARGV: 1 visitor ID, 2 `group:visitor`, 3 cutoff (ms)
-- Returns: 1 if it did, else 0.
local left = redis.call('ZSCORE', KEYS[4], ARGV[2])
if not left or tonumber(left) > tonumber(ARGV[3]) then return 0 end
redis.call('ZREM', KEYS[4], ARGV[2])
if redis.call('HLEN', KEYS[2]) > 0 or redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
