-- Add one to a counter field of a hash that exists; return it (0: no such hash).
-- KEYS[1] the hash; ARGV[1] the field
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
return redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
