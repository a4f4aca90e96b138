-- Count the distinct participants with an unexpired connection, forgetting the expired ones
-- (the connections of a process that crashed).
-- KEYS[1] sorted set of "participant connection" scored by expiry time,
-- KEYS[2] hash connection -> participant; ARGV[1] now
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])) do
  redis.call('HDEL', KEYS[2], string.match(member, ' (%S+)$'))
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local seen, count = {}, 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local participant = string.match(member, '^(%S+)')
  if not seen[participant] then
    seen[participant] = true
    count = count + 1
  end
end
return count
