-- connect: registers a connection of a visitor; it takes focus.
-- KEYS: 1 visitor, 2 connections, 3 group index, 4 epoch, 5 gone, 6 count, 7 node index
-- ARGV: 1 visitor ID, 2 connection ID, 3 visible (1|0), 4 at, 5 `group:visitor`,
--       6 whether the connection belongs to a node (1|0)
-- Returns: { isNew, epoch, previous connection or '', visibilityChanged, visitor }
local vkey, ckey = KEYS[1], KEYS[2]
local visitor_id, id, visible, at, member = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local is_new = redis.call('EXISTS', vkey) == 0
if is_new then
  -- A brand-new hidden visitor counts as turning hidden now.
  redis.call('HSET', vkey, 'v', 'visible', 'a', at, 'p', '{}', 'e', '0', 'q', '0')
  redis.call('ZADD', KEYS[3], 0, visitor_id)
end
local before = redis.call('HGET', vkey, 'v')
local seq = redis.call('HINCRBY', vkey, 'q', 1)
local added = redis.call('HSET', ckey, id, visible .. '|' .. at .. '|' .. at .. '|' .. seq .. '|' .. seq)
if added == 1 then redis.call('INCR', KEYS[6]) end
if ARGV[6] == '1' then redis.call('HSET', KEYS[7], id, member) end
redis.call('HDEL', vkey, 'd')
redis.call('ZREM', KEYS[5], member)
redis.call('HSET', vkey, 'a', at)
local epoch, previous = move_focus(vkey, ckey, KEYS[4], id)
recompute_visibility(vkey, ckey, at)
local changed
if is_new then
  changed = visible == '0'
else
  changed = redis.call('HGET', vkey, 'v') ~= before
end
return { is_new and 1 or 0, epoch, previous or '', changed and 1 or 0, read_visitor(vkey, ckey) }
