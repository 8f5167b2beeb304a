-- recordPresence: a connection's presence in one step, as touch then setPresence: records
-- the connection's activity (it takes focus if it lacked it) and stores the presence data.
-- KEYS: 1 visitor, 2 connections, 3 epoch
-- ARGV: 1 connection ID, 2 at, 3 presence JSON
-- Returns: { stored (1 or 0), epoch of the focus move or 0, previous connection or '' }.
local vkey, at = KEYS[1], ARGV[2]
if redis.call('EXISTS', vkey) == 0 then return { 0, 0, '' } end
local _, epoch, previous = touch_connection(vkey, KEYS[2], KEYS[3], ARGV[1], at)
redis.call('HSET', vkey, 'p', ARGV[3])
if tonumber(at) > tonumber(redis.call('HGET', vkey, 'a')) then
  redis.call('HSET', vkey, 'a', at)
end
return { 1, epoch or 0, previous or '' }
