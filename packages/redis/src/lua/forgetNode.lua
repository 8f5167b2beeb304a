-- forgetNode: drops a node that is dead and owns no connection any more.
-- KEYS: 1 its alive key, 2 its connection index, 3 nodes, 4 its sweeper lock
-- ARGV: 1 node ID
-- Returns: 1 if it did, 0 if the node lives or still owns connections.
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('HLEN', KEYS[2]) > 0 then return 0 end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[2], KEYS[4])
return 1
