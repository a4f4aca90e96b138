-- Replace a participant's ballot in an open poll, moving the per-option counts with it.
-- KEYS[1] poll hash, KEYS[2] hash participant -> ballot, KEYS[3] hash option -> count
-- ARGV[1] participant, ARGV[2] the ballot as a JSON list of option indexes
if redis.call('HGET', KEYS[1], 'state') ~= 'open' then
  return 0
end
local previous = redis.call('HGET', KEYS[2], ARGV[1])
if previous then
  for _, option in ipairs(cjson.decode(previous)) do
    redis.call('HINCRBY', KEYS[3], tostring(option), -1)
  end
end
for _, option in ipairs(cjson.decode(ARGV[2])) do
  redis.call('HINCRBY', KEYS[3], tostring(option), 1)
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
