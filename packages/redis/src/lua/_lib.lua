-- Helpers shared by the registry scripts; prepended to each of them when loaded.
--
-- A visitor is two hashes. The visitor hash holds
--   e = epoch, f = focused connection ID, p = presence (JSON, opaque here),
--   v = visibility (visible | hidden | away), h = hidden since (ms), a = last active (ms),
--   s = session key, d = disconnected at (ms, only while no connection is open),
--   q = a counter that orders activity within the visitor.
-- The connections hash maps a connection ID to "visible|connectedAt|lastActiveAt|seq|order"
-- (visible is 1 or 0; seq breaks ties of lastActiveAt; order is the connect order).

-- The next epoch of a group: one more than the last, and never below the server's clock in
-- microseconds, so epochs keep growing when Redis restarts empty.
local function next_epoch(epoch_key)
  local t = redis.call('TIME')
  local clock = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local epoch = tonumber(redis.call('GET', epoch_key) or '0') + 1
  if clock > epoch then epoch = clock end
  redis.call('SET', epoch_key, string.format('%.0f', epoch))
  return epoch
end

local function parse_connection(raw)
  local visible, connected_at, last_active, seq, order =
    string.match(raw, '^([01])|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
  return visible, connected_at, last_active, seq, order
end

-- Gives focus to connection `to` with a new epoch. Returns the epoch and the connection that
-- lost focus, if it is still open (false otherwise).
local function move_focus(vkey, ckey, epoch_key, to)
  local previous = redis.call('HGET', vkey, 'f')
  local epoch = next_epoch(epoch_key)
  redis.call('HSET', vkey, 'e', string.format('%.0f', epoch), 'f', to)
  if previous and previous ~= to and redis.call('HEXISTS', ckey, previous) == 1 then
    return epoch, previous
  end
  return epoch, false
end

-- Records activity of connection `id` at `at`; it takes focus if it lacked it. Returns
-- false for an unknown connection; else true, and the epoch and the connection that lost
-- focus (as move_focus) when focus moved.
local function touch_connection(vkey, ckey, epoch_key, id, at)
  local raw = redis.call('HGET', ckey, id)
  if not raw then return false end
  local visible, connected_at, _, _, order = parse_connection(raw)
  local seq = redis.call('HINCRBY', vkey, 'q', 1)
  redis.call('HSET', ckey, id, visible .. '|' .. connected_at .. '|' .. at .. '|' .. seq .. '|' .. order)
  redis.call('HSET', vkey, 'a', at)
  if redis.call('HGET', vkey, 'f') == id then return true end
  return true, move_focus(vkey, ckey, epoch_key, id)
end

-- Visible if any open connection is; hidden from `at` when the last visible one went; a
-- visitor with no connection keeps what it had. Returns whether the visibility changed.
local function recompute_visibility(vkey, ckey, at)
  local all = redis.call('HVALS', ckey)
  if #all == 0 then return false end
  local any_visible = false
  for i = 1, #all do
    if string.sub(all[i], 1, 1) == '1' then
      any_visible = true
      break
    end
  end
  local before = redis.call('HGET', vkey, 'v')
  if any_visible then
    redis.call('HSET', vkey, 'v', 'visible')
    redis.call('HDEL', vkey, 'h')
    return before ~= 'visible'
  end
  if before == 'visible' then
    redis.call('HSET', vkey, 'v', 'hidden', 'h', at)
    return true
  end
  return false
end

-- The visitor as stored: both hashes, flat.
local function read_visitor(vkey, ckey)
  return { redis.call('HGETALL', vkey), redis.call('HGETALL', ckey) }
end
