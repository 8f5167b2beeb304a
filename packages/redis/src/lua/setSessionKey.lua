-- setSessionKey: remembers (ARGV[1] = 1) or forgets (0) a known visitor's session key.
-- KEYS: 1 visitor
-- ARGV: 1 set (1|0), 2 session key
-- Returns: 1, or 0 when the visitor is unknown.
local vkey = KEYS[1]
if redis.call('EXISTS', vkey) == 0 then return 0 end
if ARGV[1] == '1' then
  redis.call('HSET', vkey, 's', ARGV[2])
else
  redis.call('HDEL', vkey, 's')
end
return 1
