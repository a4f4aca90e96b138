-- Move a question to a status if it is in one of the allowed ones; a question that stops being
-- public also leaves the air.
-- KEYS[1] question hash, KEYS[2] webinar hash
-- ARGV[1] question id, ARGV[2] new status, ARGV[3] '1' if the new status may stay on air,
-- ARGV[4] why it was dismissed ('' for no reason), ARGV[5..] allowed current statuses
local current = redis.call('HGET', KEYS[1], 'status')
if not current then
  return 0
end
local allowed = false
for i = 5, #ARGV do
  if ARGV[i] == current then allowed = true end
end
if not allowed then
  return 0
end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
if ARGV[4] == '' then
  redis.call('HDEL', KEYS[1], 'reason')
else
  redis.call('HSET', KEYS[1], 'reason', ARGV[4])
end
if ARGV[3] ~= '1' and redis.call('HGET', KEYS[2], 'on_air') == ARGV[1] then
  redis.call('HDEL', KEYS[2], 'on_air')
end
return 1
