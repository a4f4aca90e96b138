-- Append an entry to the moderation log of a webinar that exists; return its id (0: none).
-- KEYS[1] webinar hash, KEYS[2] log id counter, KEYS[3] the log (a list of JSON objects)
-- ARGV[1] the entry (JSON object without its id)
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local entry = cjson.decode(ARGV[1])
entry['id'] = redis.call('INCR', KEYS[2])
redis.call('RPUSH', KEYS[3], cjson.encode(entry))
return entry['id']
