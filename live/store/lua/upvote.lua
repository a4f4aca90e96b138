-- Add or remove a participant's upvote of a question that meets the tests, keeping the count
-- equal to the number of upvoters. Returns 1 if it changed, 0 if not, -1 if refused.
-- KEYS[1] question hash, KEYS[2] set of its upvoters
-- ARGV[1] tests, ARGV[2] participant, ARGV[3] '1' to upvote, '0' to withdraw
if not meets(KEYS[1], ARGV[1]) then
  return -1
end
local changed
if ARGV[3] == '1' then
  changed = redis.call('SADD', KEYS[2], ARGV[2])
else
  changed = redis.call('SREM', KEYS[2], ARGV[2])
end
if changed == 1 then
  redis.call('HINCRBY', KEYS[1], 'upvotes', ARGV[3] == '1' and 1 or -1)
end
return changed
