-- touch: records activity of a connection; it takes focus if it lacked it.
-- KEYS: 1 visitor, 2 connections, 3 epoch
-- ARGV: 1 connection ID, 2 at
-- Returns: nil, or { epoch, previous connection or '' } when focus moved.
local vkey, ckey = KEYS[1], KEYS[2]
local id, at = ARGV[1], ARGV[2]
local raw = redis.call('HGET', ckey, id)
if not raw then return nil end
local visible, connected_at, _, _, order = parse_connection(raw)
local seq = redis.call('HINCRBY', vkey, 'q', 1)
redis.call('HSET', ckey, id, visible .. '|' .. connected_at .. '|' .. at .. '|' .. seq .. '|' .. order)
redis.call('HSET', vkey, 'a', at)
if redis.call('HGET', vkey, 'f') == id then return nil end
local epoch, previous = move_focus(vkey, ckey, KEYS[3], id)
return { epoch, previous or '' }
