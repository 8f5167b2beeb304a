-- setPresence: stores the latest presence data (JSON) of a known visitor.
-- KEYS: 1 visitor
-- ARGV: 1 presence JSON, 2 at
-- Returns: 1, or 0 when the visitor is unknown.
local vkey = KEYS[1]
if redis.call('EXISTS', vkey) == 0 then return 0 end
redis.call('HSET', vkey, 'p', ARGV[1])
if tonumber(ARGV[2]) > tonumber(redis.call('HGET', vkey, 'a')) then
  redis.call('HSET', vkey, 'a', ARGV[2])
end
return 1
