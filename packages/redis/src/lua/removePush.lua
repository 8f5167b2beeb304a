-- removePush: removes one push subscription of a visitor.
-- KEYS: 1 push subscriptions
-- ARGV: 1 endpoint
-- Returns: 1 if it was there, else 0.
return redis.call('HDEL', KEYS[1], ARGV[1])
