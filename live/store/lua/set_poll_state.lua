-- Move a poll to a state if it is in one of the allowed ones, with the moment it closes by itself.
-- KEYS[1] poll hash; ARGV[1] new state, ARGV[2] closes_at ('' for untimed),
-- ARGV[3..] allowed current states
local current = redis.call('HGET', KEYS[1], 'state')
if not current then
  return 0
end
for i = 3, #ARGV do
  if ARGV[i] == current then
    redis.call('HSET', KEYS[1], 'state', ARGV[1], 'closes_at', ARGV[2])
    return 1
  end
end
return 0
