-- Merge question B into question A in one step if B and A meet their tests: A's upvoters and
-- askers become the unions of both (one person counted once), B becomes "merged" into A, loses
-- its reason and leaves the air.
-- KEYS[1] B's hash, KEYS[2] A's hash, KEYS[3] B's upvoters, KEYS[4] A's upvoters,
-- KEYS[5] B's askers, KEYS[6] A's askers, KEYS[7] the webinar's hash
-- ARGV[1] B's id, ARGV[2] A's id, ARGV[3] B's tests, ARGV[4] A's tests
if not meets(KEYS[1], ARGV[3]) or not meets(KEYS[2], ARGV[4]) then
  return 0
end
-- the askers set exists once others were merged into a question; its author is its first asker
redis.call('SADD', KEYS[6], redis.call('HGET', KEYS[2], 'participant'))
redis.call('SADD', KEYS[6], redis.call('HGET', KEYS[1], 'participant'))
redis.call('SUNIONSTORE', KEYS[6], KEYS[6], KEYS[5])
redis.call('SUNIONSTORE', KEYS[4], KEYS[4], KEYS[3])
redis.call('HSET', KEYS[2], 'upvotes', redis.call('SCARD', KEYS[4]),
           'asked_by', redis.call('SCARD', KEYS[6]))
redis.call('HSET', KEYS[1], 'status', 'merged', 'merged_into', ARGV[2])
redis.call('HDEL', KEYS[1], 'reason')
if redis.call('HGET', KEYS[7], 'on_air') == ARGV[1] then
  redis.call('HDEL', KEYS[7], 'on_air')
end
return 1
