-- Store a new question and return its id; with an idempotency key already used by the same
-- participant, store nothing and return the id of the question stored then.
-- KEYS[1] question id counter, KEYS[2] question index of the webinar,
-- KEYS[3] hash "participant key" -> question id
-- ARGV[1] key prefix of the webinar, ARGV[2] text, ARGV[3] name ('' for none),
-- ARGV[4] participant, ARGV[5] created_at, ARGV[6] status, ARGV[7] "participant key" or '',
-- ARGV[8] topic ('' for none)
if ARGV[7] ~= '' then
  local earlier = redis.call('HGET', KEYS[3], ARGV[7])
  if earlier then
    return tonumber(earlier)
  end
end
local id = redis.call('INCR', KEYS[1])
redis.call('HSET', ARGV[1] .. ':q:' .. id, 'text', ARGV[2], 'name', ARGV[3],
           'participant', ARGV[4], 'created_at', ARGV[5], 'status', ARGV[6], 'upvotes', 0,
           'topic', ARGV[8])
redis.call('ZADD', KEYS[2], id, id)
if ARGV[7] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[7], id)
end
return id
