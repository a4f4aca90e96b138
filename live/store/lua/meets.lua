-- Put before every script: does the hash at `key` exist and meet the `tests` (JSON: field ->
-- {"in": [values it may have]} or {"after": a time it must be unset or later than})?
-- Stored times are UTC ISO text with microseconds: they compare as text.
local function meets(key, tests)
  if redis.call('EXISTS', key) == 0 then
    return false
  end
  for field, test in pairs(cjson.decode(tests)) do
    local value = redis.call('HGET', key, field) or ''
    if test['after'] then
      if value ~= '' and value <= test['after'] then
        return false
      end
    else
      local found = false
      for _, allowed in ipairs(test['in']) do
        found = found or allowed == value
      end
      if not found then
        return false
      end
    end
  end
  return true
end
