-- get: one visitor, both hashes read at one instant.
-- KEYS: 1 visitor, 2 connections
-- Returns: nil when unknown, else the visitor.
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
return read_visitor(KEYS[1], KEYS[2])
