/**
 * Server configuration: every tunable in one object, read from the environment in this one
 * place. Tests pass overrides instead of setting variables.
 */
import { MAX_FRAME_BYTES } from '../protocol/limits';

export type BrainKind = 'local' | 'openai';
export type StoreKind = 'sqlite' | 'memory' | 'redis';

export interface ServerConfig {
	/** TCP port (PORT); 0 picks a free one. */
	port: number;
	/** Interface to listen on (HOST). */
	host: string;
	/**
	 * Origins allowed to open a socket: ALLOWED_ORIGINS (comma-separated; `*` = any) and ORIGIN
	 * (the public origin adapter-node is told). The Host header never adds one (./origin).
	 */
	allowedOrigins: string[];
	/**
	 * Development (true unless NODE_ENV=production): any localhost origin is allowed too, and an
	 * origin equal to the Host header when that host is an IP address (no DNS name to rebind).
	 */
	allowLocalhostOrigins: boolean;
	/** Host header values accepted (ALLOWED_HOSTS, comma-separated, with or without port); empty = any. */
	allowedHosts: string[];
	/** Open TCP connections (page and sockets) before new ones get 503 (MAX_CONNECTIONS; 0 = no cap). */
	maxConnections: number;
	/** Open TCP connections per remote address before new ones get 503 (MAX_CONNECTIONS_PER_IP; 0 = no cap). */
	maxConnectionsPerIp: number;
	/** Time to receive a request's headers, upgrades included (HEADERS_TIMEOUT_MS). */
	headersTimeoutMs: number;
	/** Time to receive a whole request (REQUEST_TIMEOUT_MS). */
	requestTimeoutMs: number;
	/** Chats of one client id waiting for the brain; more get `error busy` (MAX_PENDING_CHATS). */
	maxPendingChats: number;
	/** JSON `ping` period (PING_INTERVAL_MS). */
	pingIntervalMs: number;
	/** Protocol-level ping period (WS_PING_INTERVAL, seconds). */
	wsPingIntervalMs: number;
	/** Silence after which a peer that answered no protocol ping is terminated (WS_PING_TIMEOUT, seconds). */
	wsPingTimeoutMs: number;
	/** HTTP keep-alive timeout (KEEP_ALIVE_TIMEOUT, seconds). */
	keepAliveTimeoutMs: number;
	/** Largest text frame in bytes; bigger ones close the socket with 1009. */
	maxPayloadBytes: number;
	/** A client whose queued outgoing bytes would pass this is closed (MAX_BUFFERED_BYTES). */
	maxBufferedBytes: number;
	/** How long a paced send (replay) waits for a client to read before giving it up. */
	sendStallTimeoutMs: number;
	/** Sustained messages per second per client id, all its connections together (RATE_LIMIT_PER_SEC). */
	rateLimitPerSec: number;
	/** Burst of messages allowed above the sustained rate (RATE_LIMIT_BURST). */
	rateLimitBurst: number;
	/** Bad messages tolerated per connection before a 1008 close (MAX_BAD_MESSAGES). */
	maxBadMessages: number;
	/** Time given to sockets to close on shutdown before they are terminated (SHUTDOWN_GRACE_MS). */
	shutdownGraceMs: number;
	/**
	 * Sockets closed per second when handing the clients over to a worker that already listens (a
	 * reload under scripts/supervise.ts), so that their reconnects come no faster than one process
	 * takes them (HANDOVER_CLOSE_RATE; 0: all at once). A plain shutdown closes all at once.
	 */
	handoverCloseRate: number;
	/** Which brain answers (BRAIN); `openai` by default when LLM_BASE_URL is set. */
	brain: BrainKind;
	/** Pause between streamed chunks of the local brain (BRAIN_CHUNK_DELAY_MS). */
	brainChunkDelayMs: number;
	/** OpenAI-compatible endpoint base, e.g. http://localhost:11434/v1 (LLM_BASE_URL). */
	llmBaseUrl: string;
	/** Model name (LLM_MODEL). */
	llmModel: string;
	/** Bearer token, if the endpoint needs one (LLM_API_KEY). */
	llmApiKey: string;
	/** Time without any data from the endpoint after which a reply is given up (LLM_TIMEOUT_MS). */
	llmTimeoutMs: number;
	/** Whether camera stills are sent as image parts (LLM_VISION). */
	llmVision: boolean;
	/** Conversation turns kept per client id (LLM_MAX_HISTORY). */
	llmMaxHistory: number;
	/** System prompt for the model (LLM_SYSTEM_PROMPT). */
	llmSystemPrompt: string;
	/** Folder for persistent data: the message store's file `talkline.db` (DATA_DIR). */
	dataDir: string;
	/**
	 * Where messages are kept (STORE): `sqlite` (durable, the default), `memory` (lost on
	 * restart; the in-process server tests ask for it in their config) or `redis` (implied by
	 * REDIS_URL: shared by several instances).
	 */
	store: StoreKind;
	/** Redis to keep everything in (REDIS_URL); set, it implies STORE=redis. */
	redisUrl: string;
	/** Prefix of every Redis key and channel (REDIS_PREFIX). */
	redisPrefix: string;
	/** A Redis command slower than this fails as `unavailable` (REDIS_TIMEOUT_MS). */
	redisTimeoutMs: number;
	/** How long an instance's lease lives unless renewed; past it, others take over its replies (REDIS_LEASE_MS). */
	redisLeaseMs: number;
	/** Messages kept per client id once acknowledged (RETAIN_MESSAGES); see store/retention. */
	retainMessages: number;
	/** Age in hours after which stored messages are dropped (RETAIN_HOURS, 168 = 7 days). */
	retainHours: number;
	/** pino level (LOG_LEVEL). */
	logLevel: string;
	/** Bearer token that `GET /metrics` requires (METRICS_TOKEN); empty: no check. */
	metricsToken: string;
}

export const DEFAULT_CONFIG: ServerConfig = {
	port: 8000,
	host: '0.0.0.0',
	allowedOrigins: [],
	allowLocalhostOrigins: true,
	allowedHosts: [],
	maxConnections: 18_000,
	maxConnectionsPerIp: 200,
	headersTimeoutMs: 5_000,
	requestTimeoutMs: 10_000,
	maxPendingChats: 20,
	pingIntervalMs: 10_000,
	wsPingIntervalMs: 20_000,
	wsPingTimeoutMs: 60_000,
	keepAliveTimeoutMs: 30_000,
	maxPayloadBytes: MAX_FRAME_BYTES,
	maxBufferedBytes: 1024 * 1024,
	sendStallTimeoutMs: 10_000,
	rateLimitPerSec: 20,
	rateLimitBurst: 120,
	maxBadMessages: 5,
	shutdownGraceMs: 5_000,
	handoverCloseRate: 3_000,
	brain: 'local',
	brainChunkDelayMs: 120,
	llmBaseUrl: '',
	llmModel: 'gpt-4o-mini',
	llmApiKey: '',
	llmTimeoutMs: 30_000,
	llmVision: true,
	llmMaxHistory: 20,
	llmSystemPrompt:
		'You are Talkline, a friendly 3D avatar who talks with the user in the browser. ' +
		'Answer briefly (one to three sentences), in plain spoken language without markdown.',
	dataDir: './data',
	store: 'sqlite',
	redisUrl: '',
	redisPrefix: 'talkline:',
	redisTimeoutMs: 2_000,
	redisLeaseMs: 10_000,
	retainMessages: 1000,
	retainHours: 168,
	logLevel: 'info',
	metricsToken: ''
};

type Env = Record<string, string | undefined>;

/** The configuration from environment variables, on top of the defaults. */
export function configFromEnv(env: Env = process.env): ServerConfig {
	const d = DEFAULT_CONFIG;
	const llmBaseUrl = text(env.LLM_BASE_URL, d.llmBaseUrl);
	const redisUrl = text(env.REDIS_URL, d.redisUrl);
	return {
		port: int(env, 'PORT', d.port),
		host: text(env.HOST, d.host),
		allowedOrigins: [...list(env.ALLOWED_ORIGINS), ...list(env.ORIGIN)],
		allowLocalhostOrigins: env.NODE_ENV !== 'production',
		allowedHosts: list(env.ALLOWED_HOSTS),
		maxConnections: int(env, 'MAX_CONNECTIONS', d.maxConnections),
		maxConnectionsPerIp: int(env, 'MAX_CONNECTIONS_PER_IP', d.maxConnectionsPerIp),
		headersTimeoutMs: int(env, 'HEADERS_TIMEOUT_MS', d.headersTimeoutMs),
		requestTimeoutMs: int(env, 'REQUEST_TIMEOUT_MS', d.requestTimeoutMs),
		maxPendingChats: positive(
			int(env, 'MAX_PENDING_CHATS', d.maxPendingChats),
			'MAX_PENDING_CHATS'
		),
		pingIntervalMs: int(env, 'PING_INTERVAL_MS', d.pingIntervalMs),
		wsPingIntervalMs: seconds(env, 'WS_PING_INTERVAL', d.wsPingIntervalMs),
		wsPingTimeoutMs: seconds(env, 'WS_PING_TIMEOUT', d.wsPingTimeoutMs),
		keepAliveTimeoutMs: seconds(env, 'KEEP_ALIVE_TIMEOUT', d.keepAliveTimeoutMs),
		maxPayloadBytes: d.maxPayloadBytes,
		maxBufferedBytes: int(env, 'MAX_BUFFERED_BYTES', d.maxBufferedBytes),
		sendStallTimeoutMs: int(env, 'SEND_STALL_TIMEOUT_MS', d.sendStallTimeoutMs),
		rateLimitPerSec: num(env, 'RATE_LIMIT_PER_SEC', d.rateLimitPerSec),
		rateLimitBurst: int(env, 'RATE_LIMIT_BURST', d.rateLimitBurst),
		maxBadMessages: int(env, 'MAX_BAD_MESSAGES', d.maxBadMessages),
		shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', d.shutdownGraceMs),
		handoverCloseRate: int(env, 'HANDOVER_CLOSE_RATE', d.handoverCloseRate),
		brain: brainKind(env.BRAIN, llmBaseUrl ? 'openai' : d.brain),
		brainChunkDelayMs: int(env, 'BRAIN_CHUNK_DELAY_MS', d.brainChunkDelayMs),
		llmBaseUrl,
		llmModel: text(env.LLM_MODEL, d.llmModel),
		llmApiKey: text(env.LLM_API_KEY, d.llmApiKey),
		llmTimeoutMs: int(env, 'LLM_TIMEOUT_MS', d.llmTimeoutMs),
		llmVision: bool(env.LLM_VISION, d.llmVision),
		llmMaxHistory: int(env, 'LLM_MAX_HISTORY', d.llmMaxHistory),
		llmSystemPrompt: text(env.LLM_SYSTEM_PROMPT, d.llmSystemPrompt),
		dataDir: text(env.DATA_DIR, d.dataDir),
		store: storeKind(env.STORE, redisUrl ? 'redis' : d.store, redisUrl),
		redisUrl,
		redisPrefix: text(env.REDIS_PREFIX, d.redisPrefix),
		redisTimeoutMs: positive(int(env, 'REDIS_TIMEOUT_MS', d.redisTimeoutMs), 'REDIS_TIMEOUT_MS'),
		redisLeaseMs: positive(int(env, 'REDIS_LEASE_MS', d.redisLeaseMs), 'REDIS_LEASE_MS'),
		retainMessages: positive(int(env, 'RETAIN_MESSAGES', d.retainMessages), 'RETAIN_MESSAGES'),
		retainHours: positive(num(env, 'RETAIN_HOURS', d.retainHours), 'RETAIN_HOURS'),
		logLevel: text(env.LOG_LEVEL, d.logLevel),
		metricsToken: text(env.METRICS_TOKEN, d.metricsToken)
	};
}

/** Defaults, then the environment, then explicit overrides (tests). */
export function resolveConfig(overrides: Partial<ServerConfig> = {}, env?: Env): ServerConfig {
	return { ...(env ? configFromEnv(env) : DEFAULT_CONFIG), ...overrides };
}

function text(value: string | undefined, fallback: string): string {
	return value === undefined || value.trim() === '' ? fallback : value.trim();
}

/** A number of 0 or more from `env[name]`; a bad one is refused, naming the variable. */
function num(env: Env, name: string, fallback: number): number {
	const value = env[name];
	if (value === undefined || value.trim() === '') return fallback;
	const parsed = Number(value);
	if (!Number.isFinite(parsed) || parsed < 0) {
		throw new Error(`${name} must be a number of 0 or more, got "${value}"`);
	}
	return parsed;
}

function int(env: Env, name: string, fallback: number): number {
	return Math.round(num(env, name, fallback));
}

/** Seconds in the environment (like uvicorn's ws_ping_interval), milliseconds inside. */
function seconds(env: Env, name: string, fallbackMs: number): number {
	return Math.round(num(env, name, fallbackMs / 1000) * 1000);
}

function bool(value: string | undefined, fallback: boolean): boolean {
	if (value === undefined || value.trim() === '') return fallback;
	return !['0', 'false', 'no', 'off'].includes(value.trim().toLowerCase());
}

function list(value: string | undefined): string[] {
	return (value ?? '')
		.split(',')
		.map((item) => item.trim())
		.filter(Boolean);
}

function brainKind(value: string | undefined, fallback: BrainKind): BrainKind {
	const kind = text(value, fallback);
	if (kind !== 'local' && kind !== 'openai')
		throw new Error(`BRAIN must be local or openai, got "${kind}"`);
	return kind;
}

function storeKind(value: string | undefined, fallback: StoreKind, redisUrl: string): StoreKind {
	const kind = text(value, fallback);
	if (kind !== 'sqlite' && kind !== 'memory' && kind !== 'redis')
		throw new Error(`STORE must be sqlite, memory or redis, got "${kind}"`);
	if (kind === 'redis' && !redisUrl) throw new Error('STORE=redis needs REDIS_URL');
	if (kind !== 'redis' && redisUrl)
		throw new Error(`REDIS_URL is set, so the store is Redis: remove STORE=${kind} or REDIS_URL`);
	return kind;
}

function positive(value: number, name: string): number {
	if (!(value > 0)) throw new Error(`${name} must be greater than 0, got ${value}`);
	return value;
}
