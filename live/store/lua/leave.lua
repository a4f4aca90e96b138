-- Forget one closed connection.
-- KEYS[1] sorted set of "participant connection", KEYS[2] hash connection -> participant
-- ARGV[1] connection
local participant = redis.call('HGET', KEYS[2], ARGV[1])
if participant then
  redis.call('ZREM', KEYS[1], participant .. ' ' .. ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
end
return 1
