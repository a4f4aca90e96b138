-- Keep (or, with '', delete) a voter's entry in a poll that meets the tests: a ballot, a typed
-- answer or an email address; a ballot moves the per-option counts with it.
-- KEYS[1] poll hash, KEYS[2] hash participant -> entry, KEYS[3] hash option -> count
-- ARGV[1] tests, ARGV[2] participant, ARGV[3] the entry (JSON), ARGV[4] '1' for a ballot
if not meets(KEYS[1], ARGV[1]) then
  return 0
end
if ARGV[4] == '1' then
  local previous = redis.call('HGET', KEYS[2], ARGV[2])
  if previous then
    for _, option in ipairs(cjson.decode(previous)) do
      redis.call('HINCRBY', KEYS[3], tostring(option), -1)
    end
  end
  for _, option in ipairs(cjson.decode(ARGV[3])) do
    redis.call('HINCRBY', KEYS[3], tostring(option), 1)
  end
end
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[2], ARGV[2])
else
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
end
return 1
