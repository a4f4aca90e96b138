-- Confirm open connections to a webinar that exists, each until an expiry time.
-- KEYS[1] webinar hash, KEYS[2] sorted set of "participant connection" scored by expiry,
-- KEYS[3] hash connection -> participant; ARGV[1] expiry, ARGV[2..] connection, participant
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
for i = 2, #ARGV, 2 do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[2], ARGV[1], ARGV[i + 1] .. ' ' .. ARGV[i])
end
return 1
