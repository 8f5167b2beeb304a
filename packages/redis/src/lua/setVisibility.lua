-- setVisibility: sets one connection's visibility and returns the visitor's.
-- KEYS: 1 visitor, 2 connections
-- ARGV: 1 connection ID, 2 visible (1|0), 3 at
-- Returns: nil when the connection is unknown, else { visibility, changed, hiddenSince or '' }
local vkey, ckey = KEYS[1], KEYS[2]
local id, visible, at = ARGV[1], ARGV[2], ARGV[3]
local raw = redis.call('HGET', ckey, id)
if not raw then return nil end
redis.call('HSET', ckey, id, visible .. string.sub(raw, 2))
local changed = recompute_visibility(vkey, ckey, at)
local state = redis.call('HMGET', vkey, 'v', 'h')
return { state[1], changed and 1 or 0, state[2] or '' }
