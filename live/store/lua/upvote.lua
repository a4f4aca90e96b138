-- Add or remove a participant's upvote, keeping the count equal to the number of upvoters.
-- KEYS[1] question hash, KEYS[2] set of its upvoters
-- ARGV[1] participant, ARGV[2] '1' to upvote, '0' to withdraw
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local changed
if ARGV[2] == '1' then
  changed = redis.call('SADD', KEYS[2], ARGV[1])
  if changed == 1 then redis.call('HINCRBY', KEYS[1], 'upvotes', 1) end
else
  changed = redis.call('SREM', KEYS[2], ARGV[1])
  if changed == 1 then redis.call('HINCRBY', KEYS[1], 'upvotes', -1) end
end
return changed
