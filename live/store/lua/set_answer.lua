-- Record or replace a voter's typed answer, if the poll is open (checked in the same step).
-- KEYS[1] poll hash, KEYS[2] hash of its answers (participant -> JSON list)
-- ARGV[1] participant, ARGV[2] the answer as a JSON list
if redis.call('HGET', KEYS[1], 'state') ~= 'open' then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
