/**
 * The Lua scripts that make RedisStore's writes atomic: each runs in one client id's slot, so two
 * instances can never give one seq twice, answer one chat twice, or ack an id not stored. Sent
 * by SHA-1 (EVALSHA), loaded again (EVAL) when Redis does not know them (after a restart).
 *
 * Retention follows ./retention: the count limit in `append` and `ack`, ages in `sweep`.
 */
import { createHash } from 'node:crypto';

export interface LuaScript {
	source: string;
	sha1: string;
	keys: number;
}

function script(keys: number, source: string): LuaScript {
	return { source, keys, sha1: createHash('sha1').update(source).digest('hex') };
}

/** Deletes the log's messages up to the count limit (countTrimUpTo in ./retention). */
const TRIM = `
local function trim(meta, log, retain, factor)
	local last = tonumber(redis.call('HGET', meta, 'last') or '0')
	local acked = tonumber(redis.call('HGET', meta, 'acked') or '0')
	local upTo = math.max(0, math.min(acked, last - retain), last - retain * factor)
	if upTo > 0 then redis.call('XTRIM', log, 'MINID', (upTo + 1) .. '-0') end
end
`;

/**
 * Accepts one client message. KEYS: meta ids pending chats image.
 * ARGV: id kind at payload(text, or JSON {at,image}) maxIds. Returns 1 (new) or 0 (seen before).
 */
export const ACCEPT = script(
	5,
	`
local meta, ids, pending, chats, image = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local id, kind, at, payload, maxIds = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if redis.call('ZSCORE', ids, id) then return 0 end
redis.call('ZADD', ids, at, id)
if kind == 'chat' then
	local n = redis.call('HINCRBY', meta, 'n', 1)
	redis.call('ZADD', pending, n, id)
	redis.call('HSET', chats, id, payload)
else
	redis.call('SET', image, payload)
end
local excess = redis.call('ZCARD', ids) - maxIds
if excess > 0 then
	-- the oldest answered ids go first; a chat waiting for its answer is never forgotten
	for _, old in ipairs(redis.call('ZRANGE', ids, 0, excess + redis.call('ZCARD', pending) - 1)) do
		if excess <= 0 then break end
		if not redis.call('ZSCORE', pending, old) then
			redis.call('ZREM', ids, old)
			excess = excess - 1
		end
	end
end
return 1
`
);

/**
 * Gives a server message the next seq, stores it, follows its reply's state, trims, publishes.
 * KEYS: meta log ids pending chats started open. ARGV: body (JSON without seq) at type replyId
 * inReplyTo newEpoch retain factor channel instance mode. mode `append` always stores; `start`
 * claims the chat first (refused: `answered` or `busy`); `ifopen` stores only while the reply
 * is open (closing a dead instance's reply once). Returns {seq, stored JSON} or {0, reason}.
 */
export const APPEND = script(
	7,
	TRIM +
		`
local meta, log, ids, pending, chats, started, open =
	KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local body, at, kind, replyId, inReplyTo = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local epoch, retain, factor = ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8])
local channel, instance, mode = ARGV[9], ARGV[10], ARGV[11]
if mode == 'start' then
	if redis.call('ZSCORE', ids, inReplyTo) then
		if not redis.call('ZSCORE', pending, inReplyTo) or redis.call('HEXISTS', started, inReplyTo) == 1 then
			return {0, 'answered'}
		end
	end
	for _, owner in ipairs(redis.call('HVALS', open)) do
		if string.sub(owner, -#instance - 1) ~= '\\n' .. instance then return {0, 'busy'} end
	end
elseif mode == 'ifopen' then
	if redis.call('HEXISTS', open, replyId) == 0 then return {0, 'closed'} end
end
redis.call('HSETNX', meta, 'epoch', epoch)
local seq = redis.call('HINCRBY', meta, 'last', 1)
local stored = string.sub(body, 1, -2) .. ',"seq":' .. seq .. '}'
redis.call('XADD', log, seq .. '-0', 'at', at, 'm', stored)
if kind == 'reply.start' then
	if redis.call('ZSCORE', pending, inReplyTo) and redis.call('HEXISTS', started, inReplyTo) == 0 then
		redis.call('HSET', started, inReplyTo, replyId)
		redis.call('HSET', open, replyId, inReplyTo .. '\\n' .. instance)
	end
elseif kind == 'reply.end' or kind == 'reply.interrupted' then
	local owner = redis.call('HGET', open, replyId)
	if owner then
		local chat = string.match(owner, '^(.*)\\n')
		redis.call('HDEL', open, replyId)
		redis.call('ZREM', pending, chat)
		redis.call('HDEL', chats, chat)
		redis.call('HDEL', started, chat)
	end
end
trim(meta, log, retain, factor)
redis.call('PUBLISH', channel, stored)
return {seq, stored}
`
);

/** Records an ack. KEYS: meta log. ARGV: seq retain factor. */
export const ACK = script(
	2,
	TRIM +
		`
local last = redis.call('HGET', KEYS[1], 'last')
if not last then return 0 end
local acked = tonumber(redis.call('HGET', KEYS[1], 'acked') or '0')
acked = math.max(acked, math.min(tonumber(ARGV[1]), tonumber(last)))
redis.call('HSET', KEYS[1], 'acked', acked)
trim(KEYS[1], KEYS[2], tonumber(ARGV[2]), tonumber(ARGV[3]))
return acked
`
);

/**
 * An arriving connection: claims its client id if nobody owns it (set-if-absent), and reads the
 * log's identity and last seq. KEYS: meta. ARGV: tokenHash newEpoch.
 * Returns {claimed 1|0, epoch, tokenHash or '', last, created 1|0}.
 */
export const ARRIVE = script(
	1,
	`
local claimed = 0
-- Every chat and message stored for an id touches its meta: no meta, nothing stored.
local created = 1 - redis.call('EXISTS', KEYS[1])
if not redis.call('HGET', KEYS[1], 'token') then
	redis.call('HSETNX', KEYS[1], 'epoch', ARGV[2])
	redis.call('HSETNX', KEYS[1], 'last', 0)
	claimed = redis.call('HSETNX', KEYS[1], 'token', ARGV[1])
end
local found = redis.call('HMGET', KEYS[1], 'epoch', 'token', 'last')
return {claimed, found[1], found[2] or '', found[3] or '0', created}
`
);

export const PENDING = script(
	2,
	`
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
	out[#out + 1] = id
	out[#out + 1] = redis.call('HGET', KEYS[2], id) or ''
end
return out
`
);

/**
 * Drops what is past the age limits. KEYS: log ids pending chats started image.
 * ARGV: messageCutoff inputCutoff (ms). Messages go from the oldest on (they are in append order).
 */
export const SWEEP = script(
	6,
	`
local log, ids, pending, chats, started, image = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local messageCutoff, inputCutoff = tonumber(ARGV[1]), tonumber(ARGV[2])
local done = false
while not done do
	local entries = redis.call('XRANGE', log, '-', '+', 'COUNT', 100)
	if #entries == 0 then break end
	for _, entry in ipairs(entries) do
		local fields, at = entry[2], nil
		for i = 1, #fields, 2 do if fields[i] == 'at' then at = tonumber(fields[i + 1]) end end
		if at and at < messageCutoff then
			redis.call('XDEL', log, entry[1])
		else
			done = true
			break
		end
	end
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', ids, '-inf', '(' .. inputCutoff)) do
	redis.call('ZREM', ids, id)
	redis.call('ZREM', pending, id)
	redis.call('HDEL', chats, id)
	redis.call('HDEL', started, id)
end
local still = redis.call('GET', image)
if still and cjson.decode(still).at < messageCutoff then redis.call('DEL', image) end
return 0
`
);

export const SCRIPTS = [ACCEPT, APPEND, ACK, ARRIVE, PENDING, SWEEP];

/**
 * A connection now holds a client id: announces it on the feed with the next generation.
 * KEYS: holder feed. ARGV: sessionId. Returns the generation. The count orders announcements
 * across instances, so one that reaches an instance late never closes a newer connection.
 */
export const ANNOUNCE = script(
	2,
	`
local generation = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', KEYS[2], cjson.encode({type = 'held', sessionId = ARGV[1], generation = generation}))
return generation
`
);
