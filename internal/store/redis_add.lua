-- Applies one customer's events (or imported days) in one call.
--
-- KEYS[1] daily aggregates hash (field = day number, value = encoded Day;
--         field "lo" = lowest day stored, so that pruning needs no scan)
-- KEYS[2] cache hash (field "v" = cached vector: dropped here; field "g" = the
--         generation of the data: incremented here)
-- KEYS[3] profile (an id-only stub is set when missing)
-- KEYS[4] ticket excerpts: sorted set, score = time (ms), member = excerpt (JSON)
-- KEYS[5..] dedupe markers of the events that carry an event_id (or an id
--         derived from an idempotent request), in order
-- ARGV[1] oldest day kept, ARGV[2] aggregates TTL (ms), ARGV[3] dedupe TTL (ms),
-- ARGV[4] stub profile, ARGV[5] excerpts kept, ARGV[6] start of the oldest day (ms),
-- ARGV[7] the token of the idempotent request the events belong to ('' for none),
-- then per event: day, has-id flag ("1"/"0"), encoded Day ("" for none: an
-- imported excerpt), excerpt time (ms) and excerpt ("" for none).
--
-- An event's excerpt is written with its aggregate or not at all: a
-- duplicate event adds neither. Only the newest ARGV[5] excerpts of the
-- retention window are kept; the set expires like the aggregates.
--
-- An encoded Day is a MessagePack array of up to 15 numbers, trailing zeros
-- left out: usage, usage events, tickets, negative tickets, intent tickets,
-- sentiment sum, sentiment min, page views, risk categories 1..7. cmsgpack
-- packs and unpacks it in C, much faster than text in Lua.
-- A dedupe marker holds the request's token ('1' without one). A marker that
-- already holds the token, and that this call did not claim yet, was written
-- by an earlier attempt of the same request (one a timeout cut off): its
-- event was stored then, so it counts as accepted and is not stored again.
-- Returns {accepted, duplicates}.
local d, f = KEYS[1], KEYS[2]
local oldest = tonumber(ARGV[1])
local mpack, munpack = cmsgpack.pack, cmsgpack.unpack

local function load(s)
	local t = s and munpack(s) or {}
	for i = #t + 1, 15 do t[i] = 0 end
	return t
end

-- merges o into t with the arithmetic of signals.Day.Merge
local function merge(t, o)
	local n = #o
	if n >= 3 and o[3] > 0 and (t[3] == 0 or (o[7] or 0) < t[7]) then t[7] = o[7] or 0 end
	for i = 1, n do
		if i ~= 7 then t[i] = t[i] + o[i] end
	end
end

local function encode(t)
	local n = 15
	while n > 0 and t[n] == 0 do
		t[n] = nil
		n = n - 1
	end
	return mpack(t)
end

-- 1. dedupe, and collect the days to update in event order
local acc, dup, k = 0, 0, 4
local evdays, evdata, fields, seen = {}, {}, {'lo'}, {}
local notes = {}
local token = ARGV[7]
local mark = token ~= '' and token or '1'
local mine = {}
for b = 8, #ARGV, 5 do
	local fresh = true
	if ARGV[b + 1] == '1' then
		k = k + 1
		local key = KEYS[k]
		fresh = redis.call('SET', key, mark, 'PX', ARGV[3], 'NX')
		if fresh then
			mine[key] = true
		elseif token ~= '' and not mine[key] and redis.call('GET', key) == token then
			mine[key] = true
			acc = acc + 1 -- stored by an earlier attempt of this request
		else
			dup = dup + 1
		end
	end
	if fresh then
		acc = acc + 1
		local day = ARGV[b]
		if tonumber(day) >= oldest then
			if ARGV[b + 2] ~= '' then
				evdays[#evdays + 1] = day
				evdata[#evdata + 1] = ARGV[b + 2]
				if not seen[day] then
					seen[day] = true
					fields[#fields + 1] = day
				end
			end
			if ARGV[b + 4] ~= '' then
				notes[#notes + 1] = ARGV[b + 3]
				notes[#notes + 1] = ARGV[b + 4]
			end
		end
	end
end

-- 2. read the days concerned at once, merge the events in order, write back
if #evdays > 0 then
	local cur = redis.call('HMGET', d, unpack(fields))
	local lo = tonumber(cur[1])
	local newlo = lo
	local days = {}
	for i = 2, #fields do
		days[fields[i]] = load(cur[i])
		local x = tonumber(fields[i])
		if not newlo or x < newlo then newlo = x end
	end
	for i = 1, #evdays do merge(days[evdays[i]], munpack(evdata[i])) end
	local args = {}
	for i = 2, #fields do
		args[#args + 1] = fields[i]
		args[#args + 1] = encode(days[fields[i]])
		if #args >= 200 then
			redis.call('HSET', d, unpack(args))
			args = {}
		end
	end
	if #args > 0 then redis.call('HSET', d, unpack(args)) end
	if newlo < oldest then
		-- the window moved past the lowest stored day: drop the old days
		newlo = nil
		local del = {}
		for _, field in ipairs(redis.call('HKEYS', d)) do
			local x = tonumber(field)
			if x then
				if x < oldest then
					del[#del + 1] = field
					if #del >= 200 then
						redis.call('HDEL', d, unpack(del))
						del = {}
					end
				elseif not newlo or x < newlo then
					newlo = x
				end
			end
		end
		if #del > 0 then redis.call('HDEL', d, unpack(del)) end
	end
	if newlo ~= lo then redis.call('HSET', d, 'lo', string.format('%d', newlo)) end
	redis.call('PEXPIRE', d, ARGV[2])
end
-- 3. keep the newest excerpts of the window
if #notes > 0 then
	local t = KEYS[4]
	redis.call('ZADD', t, unpack(notes))
	redis.call('ZREMRANGEBYSCORE', t, '-inf', '(' .. ARGV[6])
	redis.call('ZREMRANGEBYRANK', t, 0, -1 - tonumber(ARGV[5]))
	redis.call('PEXPIRE', t, ARGV[2])
end
if acc > 0 then
	redis.call('HDEL', f, 'v')
	redis.call('HINCRBY', f, 'g', 1) -- a new generation of the data (Snap.Gen)
end
redis.call('SET', KEYS[3], ARGV[4], 'NX')
return {acc, dup}
