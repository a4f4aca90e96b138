-- Store a new question and return its id.
-- KEYS[1] question id counter, KEYS[2] question index of the webinar
-- ARGV[1] key prefix of the webinar, ARGV[2] text, ARGV[3] name ('' for none),
-- ARGV[4] participant, ARGV[5] created_at, ARGV[6] status
local id = redis.call('INCR', KEYS[1])
redis.call('HSET', ARGV[1] .. ':q:' .. id, 'text', ARGV[2], 'name', ARGV[3],
           'participant', ARGV[4], 'created_at', ARGV[5], 'status', ARGV[6], 'upvotes', 0)
redis.call('ZADD', KEYS[2], id, id)
return id
