-- Set fields of a hash that exists (a question's text, a poll's visibility, a webinar's details).
-- KEYS[1] the hash; ARGV field, value, field, value, ...
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
for i = 1, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
return 1
