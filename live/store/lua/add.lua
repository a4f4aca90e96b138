-- Store a new question or poll of an existing webinar and return its id (0: no webinar); with
-- an idempotency key already used by the same participant, store nothing and return the id of
-- the question stored then.
-- KEYS[1] id counter, KEYS[2] the webinar's index of them, KEYS[3] webinar hash,
-- KEYS[4] hash "participant key" -> question id
-- ARGV[1] prefix of the record's key (":q:" follows the webinar's), ARGV[2] JSON field -> value,
-- ARGV[3] "participant key" or ''
if redis.call('EXISTS', KEYS[3]) == 0 then
  return 0
end
if ARGV[3] ~= '' then
  local earlier = redis.call('HGET', KEYS[4], ARGV[3])
  if earlier then
    return tonumber(earlier)
  end
end
local id = redis.call('INCR', KEYS[1])
for field, value in pairs(cjson.decode(ARGV[2])) do
  redis.call('HSET', ARGV[1] .. id, field, value)
end
redis.call('ZADD', KEYS[2], id, id)
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[4], ARGV[3], id)
end
return id
