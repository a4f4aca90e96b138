-- Put a public question on air (replacing any other), or clear the air with ARGV[1] = ''.
-- KEYS[1] webinar hash, KEYS[2] question hash (any key when clearing)
-- ARGV[1] question id or '', ARGV[2..] statuses that may be on air
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
if ARGV[1] == '' then
  redis.call('HDEL', KEYS[1], 'on_air')
  return 1
end
local status = redis.call('HGET', KEYS[2], 'status')
for i = 2, #ARGV do
  if ARGV[i] == status then
    redis.call('HSET', KEYS[1], 'on_air', ARGV[1])
    return 1
  end
end
return 0
