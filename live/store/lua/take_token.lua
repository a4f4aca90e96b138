-- A token bucket shared by every process: KEYS[1] the bucket (a hash: tokens, ts).
-- ARGV: limit, period in seconds, take (1: take a token if there is one; 0: only look).
-- Returns 1 when a token was there. Redis's clock, so that processes on several machines agree.
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(bucket[1]) or limit
local since = tonumber(bucket[2]) or now
tokens = math.min(limit, tokens + math.max(0, now - since) * limit / period)
local there = tokens >= 1
if ARGV[3] == '1' then
  if there then
    tokens = tokens - 1
  end
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
  -- a bucket left alone refills completely within a period: then it holds nothing worth keeping
  redis.call('PEXPIRE', KEYS[1], math.ceil(period * 1000))
end
if there then
  return 1
end
return 0
