-- Change fields of a question, poll or webinar if it exists and meets the tests, in one step;
-- a question can go on air (replacing any other, and whatever the screen showed) or off air (if
-- it is there) in the same step.
-- KEYS[1] the record's hash, KEYS[2] the webinar's hash
-- ARGV[1] JSON field -> value (null deletes), ARGV[2] tests, ARGV[3] '1' on air, '0' off air,
-- '' neither, ARGV[4] the record's id
if not meets(KEYS[1], ARGV[2]) or redis.call('EXISTS', KEYS[2]) == 0 then
  return 0
end
for field, value in pairs(cjson.decode(ARGV[1])) do
  if value == cjson.null then
    redis.call('HDEL', KEYS[1], field)
  else
    redis.call('HSET', KEYS[1], field, value)
  end
end
if ARGV[3] == '1' then
  redis.call('HSET', KEYS[2], 'on_air', ARGV[4])
  redis.call('HDEL', KEYS[2], 'screen')
elseif ARGV[3] == '0' and redis.call('HGET', KEYS[2], 'on_air') == ARGV[4] then
  redis.call('HDEL', KEYS[2], 'on_air')
end
return 1
