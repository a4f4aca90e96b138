-- Set one field of a hash that exists (a question's text, a poll's visibility).
-- KEYS[1] the hash; ARGV[1] field, ARGV[2] value
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
