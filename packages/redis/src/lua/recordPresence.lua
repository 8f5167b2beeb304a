-- recordPresence: a connection's presence in one step, as touch then setPresence: records
-- the connection's activity (it takes focus if it lacked it) and stores the presence data.
-- KEYS: 1 visitor, 2 connections, 3 epoch
-- ARGV: 1 connection ID, 2 at, 3 presence JSON
-- Returns: { stored (1 or 0), epoch of the focus move or 0, previous connection or '' }.
local vkey, ckey = KEYS[1], KEYS[2]
local id, at = ARGV[1], ARGV[2]
if redis.call('EXISTS', vkey) == 0 then return { 0, 0, '' } end
local epoch, previous = 0, ''
local raw = redis.call('HGET', ckey, id)
if raw then
  local visible, connected_at, _, _, order = parse_connection(raw)
  local seq = redis.call('HINCRBY', vkey, 'q', 1)
  redis.call('HSET', ckey, id, visible .. '|' .. connected_at .. '|' .. at .. '|' .. seq .. '|' .. order)
  redis.call('HSET', vkey, 'a', at)
  if redis.call('HGET', vkey, 'f') ~= id then
    local moved, lost = move_focus(vkey, ckey, KEYS[3], id)
    epoch, previous = moved, lost or ''
  end
end
redis.call('HSET', vkey, 'p', ARGV[3])
if tonumber(at) > tonumber(redis.call('HGET', vkey, 'a')) then
  redis.call('HSET', vkey, 'a', at)
end
return { 1, epoch, previous }
