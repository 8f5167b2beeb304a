-- disconnect: removes a connection; focus passes to the most recently active remaining one.
-- Also what cleans up after a dead node: then it first checks that the node is still dead.
-- KEYS: 1 visitor, 2 connections, 3 epoch, 4 gone, 5 count, 6 node index, 7 node alive key
-- ARGV: 1 connection ID, 2 at, 3 `group:visitor`, 4 whether the connection belongs to a node
--       (1|0), 5 only if the node is dead (1|0)
-- Returns: nil when the connection is unknown, 'alive' when the node lives after all, else
--          { epoch or 0, newly focused connection or '', visibilityChanged, visitor }
local vkey, ckey = KEYS[1], KEYS[2]
local id, at, member = ARGV[1], ARGV[2], ARGV[3]
if ARGV[5] == '1' and redis.call('EXISTS', KEYS[7]) == 1 then return 'alive' end
if ARGV[4] == '1' then redis.call('HDEL', KEYS[6], id) end
if redis.call('HDEL', ckey, id) == 0 then return nil end
redis.call('DECR', KEYS[5])
local epoch, focused = 0, ''
if redis.call('HGET', vkey, 'f') == id then
  redis.call('HDEL', vkey, 'f')
  local all = redis.call('HGETALL', ckey)
  local best_at, best_seq
  for i = 1, #all, 2 do
    local _, _, last_active, seq = parse_connection(all[i + 1])
    last_active, seq = tonumber(last_active), tonumber(seq)
    if focused == '' or last_active > best_at or (last_active == best_at and seq > best_seq) then
      focused, best_at, best_seq = all[i], last_active, seq
    end
  end
  if focused ~= '' then epoch = move_focus(vkey, ckey, KEYS[3], focused) end
end
if redis.call('HLEN', ckey) == 0 then
  redis.call('HSET', vkey, 'd', at)
  redis.call('ZADD', KEYS[4], at, member)
end
local changed = recompute_visibility(vkey, ckey, at)
return { epoch, focused, changed and 1 or 0, read_visitor(vkey, ckey) }
