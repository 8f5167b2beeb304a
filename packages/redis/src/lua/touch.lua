-- touch: records activity of a connection; it takes focus if it lacked it.
-- KEYS: 1 visitor, 2 connections, 3 epoch
-- ARGV: 1 connection ID, 2 at
-- Returns: nil, or { epoch, previous connection or '' } when focus moved.
local _, epoch, previous = touch_connection(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])
if not epoch then return nil end
return { epoch, previous or '' }
