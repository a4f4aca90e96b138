-- Create a webinar and its draft polls, unless it exists.
-- KEYS[1] webinar hash, KEYS[2] set of codes, KEYS[3] poll id counter, KEYS[4] poll index
-- ARGV[1] code, ARGV[2] JSON field -> value of the webinar, ARGV[3] JSON list of polls' fields,
-- ARGV[4] prefix of a poll's key (its id follows)
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
for field, value in pairs(cjson.decode(ARGV[2])) do
  redis.call('HSET', KEYS[1], field, value)
end
redis.call('SADD', KEYS[2], ARGV[1])
for _, poll in ipairs(cjson.decode(ARGV[3])) do
  local id = redis.call('INCR', KEYS[3])
  for field, value in pairs(poll) do
    redis.call('HSET', ARGV[4] .. id, field, value)
  end
  redis.call('ZADD', KEYS[4], id, id)
end
return 1
