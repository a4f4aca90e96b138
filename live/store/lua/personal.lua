-- Count or remove, in one step, the personal data of a webinar: everyone's (the purge at the end
-- of its retention period) or one participant's ("forget me"). See Store.remove_personal.
-- KEYS[1] webinar hash, KEYS[2] its questions (sorted set of ids), KEYS[3] its polls (same),
-- KEYS[4] hash "participant key" -> question id, KEYS[5] set of forgotten participants
-- ARGV[1] the webinar's key prefix ("live:{code}"), ARGV[2] the participant ('': everyone),
-- ARGV[3] '1' to remove ('0': count only), ARGV[4] a random salt for the anonymous ids (thrown
-- away afterwards), ARGV[5] when (ISO) for purged_at
-- Returns {names, emails, questions, upvotes, ballots}, or false without such a webinar.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return false
end
local prefix, only, remove, salt = ARGV[1], ARGV[2], ARGV[3] == '1', ARGV[4]
local names, emails, questions, upvotes, ballots = 0, 0, 0, 0, 0

local function person(who)
  return who ~= nil and who ~= false and who ~= '' and string.sub(who, 1, 1) ~= '~'
    and (only == '' or who == only)
end

local function anonymous(where, who)
  return '~' .. string.sub(redis.sha1hex(salt .. where .. '\0' .. who), 1, 16)
end

-- the members of a set or fields of a hash that are people's (only's: one lookup)
local function people(key, is_hash)
  if only ~= '' then
    local there
    if is_hash then
      there = redis.call('HEXISTS', key, only)
    else
      there = redis.call('SISMEMBER', key, only)
    end
    if there == 1 then
      return {only}
    end
    return {}
  end
  local found = {}
  local all
  if is_hash then
    all = redis.call('HKEYS', key)
  else
    all = redis.call('SMEMBERS', key)
  end
  for _, who in ipairs(all) do
    if person(who) then
      table.insert(found, who)
    end
  end
  return found
end

for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local q = prefix .. ':q:' .. id
  local fields = redis.call('HMGET', q, 'participant', 'name')
  local author, name = fields[1], fields[2]
  local linked = person(author)
  local named = name and (linked or only == '')
  if linked then
    questions = questions + 1
  end
  if named then
    names = names + 1
  end
  if remove and (linked or named) then
    redis.call('HSET', q, 'participant', '')
    redis.call('HDEL', q, 'name')
  end
  for _, kind in ipairs({'upvoters', 'askers'}) do
    local set = q .. ':' .. kind
    for _, who in ipairs(people(set, false)) do
      if kind == 'upvoters' then
        upvotes = upvotes + 1
      elseif who ~= author then
        -- a merged question's askers hold its author too: counted once
        questions = questions + 1
      end
      if remove then
        redis.call('SREM', set, who)
        -- named as the local stores name them ("upvotes12"), so that the ids agree
        local where = (kind == 'upvoters' and 'upvotes' or 'askers') .. id
        redis.call('SADD', set, anonymous(where, who))
      end
    end
  end
end

for _, id in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  local p = prefix .. ':poll:' .. id
  for _, kind in ipairs({'ballots', 'answers', 'interest'}) do
    local entries = p .. ':' .. kind
    for _, who in ipairs(people(entries, true)) do
      if kind == 'interest' then
        emails = emails + 1
      else
        ballots = ballots + 1
      end
      if remove then
        -- a ballot keeps its options (and the counts stay as they are), under an anonymous id
        local value = redis.call('HGET', entries, who)
        redis.call('HDEL', entries, who)
        if kind ~= 'interest' then
          redis.call('HSET', entries, anonymous(kind .. id, who), value)
        end
      end
    end
  end
end

if remove then
  if only == '' then
    redis.call('DEL', KEYS[4], KEYS[5])
    redis.call('HSET', KEYS[1], 'purged_at', ARGV[5])
  else
    for _, asked in ipairs(redis.call('HKEYS', KEYS[4])) do
      if string.sub(asked, 1, string.len(only) + 1) == only .. ' ' then
        redis.call('HDEL', KEYS[4], asked)
      end
    end
    redis.call('SADD', KEYS[5], only)
  end
end
return {names, emails, questions, upvotes, ballots}
