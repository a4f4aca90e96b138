-- Create a webinar and its draft polls, unless it exists.
-- KEYS[1] webinar hash, KEYS[2] set of codes, KEYS[3] poll id counter, KEYS[4] poll index
-- ARGV[1] code, ARGV[2] JSON object of the webinar's fields, ARGV[3] JSON list of polls,
-- ARGV[4] key prefix of the webinar ("live:{code}")
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local fields = cjson.decode(ARGV[2])
for name, value in pairs(fields) do
  redis.call('HSET', KEYS[1], name, tostring(value))
end
redis.call('SADD', KEYS[2], ARGV[1])
for _, poll in ipairs(cjson.decode(ARGV[3])) do
  local id = redis.call('INCR', KEYS[3])
  redis.call('HSET', ARGV[4] .. ':poll:' .. id, 'prompt', poll.prompt, 'kind', poll.kind,
             'options', poll.options, 'state', poll.state, 'results_visible', poll.results_visible,
             'collects_emails', poll.collects_emails)
  redis.call('ZADD', KEYS[4], id, id)
end
return 1
