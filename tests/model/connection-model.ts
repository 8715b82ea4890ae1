/**
 * The test model of the connection machine: the real machine definition, stepped with xstate's
 * pure `transition()`, plus the two things a machine snapshot does not hold and the tests drive
 * from outside: the clock (timer clock, wall-clock skew of a hidden tab) and the timers the
 * machine has scheduled. Delayed events become `model.timer` steps (fire the earliest timer,
 * as advancing the simulated clock does) and a hidden tab becomes a `model.sleep` step (the wall
 * clock moves, timers do not), so the time-dependent guards of rules 5 and 15 are part of the
 * graph. Model states are serialized by state value, attempt, flags and durations relative to
 * now (never absolute timestamps), which keeps the graph finite.
 */
import {
	createActor,
	fromTransition,
	type AnyStateNode,
	type AnyTransitionDefinition,
	type EventObject,
	type InspectionEvent
} from 'xstate';
import {
	connectionMachine,
	connectionStateName,
	type ConnectionConfig,
	type ConnectionEvent,
	type ConnectionSnapshot
} from '../../machines/connection';

/** Small numbers so the graph stays small; still reaches `failed` by exhaustion (2 attempts). */
export const MODEL_CONFIG: ConnectionConfig = {
	maxReconnectAttempts: 2,
	baseReconnectDelay: 1000,
	maxReconnectDelay: 2000,
	jitter: 0,
	staleAfter: 15000,
	pingTimeout: 60000,
	connectTimeout: 20000,
	stableAfter: 5000
};

export const MODEL_URL = 'ws://localhost:8000/ws/model-client';

/** Hidden-tab durations: just stale, and dead (silence past pingTimeout). */
const sleepsFor = (config: ConnectionConfig) => [config.staleAfter, config.pingTimeout];

type Timer = { id: string; event: EventObject; due: number };

export type ModelState = {
	snapshot: ConnectionSnapshot;
	/** Timer clock (what SimulatedClock.now() returns). */
	clock: number;
	/** Wall clock minus timer clock: time slept by a hidden tab. */
	skew: number;
	/** Timers scheduled by the machine and not yet fired or cancelled, in scheduling order. */
	timers: Timer[];
	/** The machine's transitions the last step took (not part of the state's identity). */
	taken: AnyTransitionDefinition[];
};

export type ModelEvent =
	ConnectionEvent | { type: 'model.timer' } | { type: 'model.sleep'; ms: number };

/** The wall clock the model's machine reads while `transition()` runs. */
let modelWall = 0;

/** Applies the scheduling actions `transition()` returned to the pending timers. */
function applyTimerActions(
	timers: Timer[],
	actions: Array<{ type: string; params?: unknown }>,
	clock: number
): Timer[] {
	let next = timers;
	for (const action of actions) {
		const params: unknown = action.params;
		if (typeof params !== 'object' || params === null) continue;
		if (action.type === 'xstate.cancel' && 'sendId' in params) {
			next = next.filter((timer) => timer.id !== params.sendId);
		}
		if (action.type === 'xstate.raise' && 'delay' in params && typeof params.delay === 'number') {
			const { id, event } = params as unknown as { id: string; event: EventObject };
			next = [...next.filter((timer) => timer.id !== id), { id, event, due: clock + params.delay }];
		}
	}
	return next;
}

/** The earliest pending timer; ties are refused because the simulated clock's order is unspecified. */
export function nextTimer(state: ModelState): Timer | undefined {
	const [first, second] = [...state.timers].sort((a, b) => a.due - b.due);
	if (first && second && first.due === second.due) {
		throw new Error(`model: timers ${first.id} and ${second.id} are due at the same time`);
	}
	return first;
}

const modelInput = {
	url: MODEL_URL,
	config: MODEL_CONFIG,
	now: () => modelWall,
	random: () => 0,
	// Never called: the model resolves invocations without starting them.
	createSocket: (): never => {
		throw new Error('the model opens no sockets');
	}
};

/**
 * The scope the model steps the machine in: like xstate's own `transition()`, nothing is
 * executed (actions are collected, children never start), but the scope is made once and its
 * system reports the transitions each step takes.
 */
/**
 * The machine's transitions an inspection event says were taken. xstate names them `_transitions`
 * on `@xstate.microstep` (its graph tools read them so too); this is the one place that does.
 */
export function takenTransitions(event: InspectionEvent): AnyTransitionDefinition[] {
	return event.type === '@xstate.microstep' ? event._transitions : [];
}

/** The state nodes active in an inspected snapshot (xstate's `_nodes`); read only here. */
export function activeStateNodes(event: InspectionEvent): AnyStateNode[] {
	if (event.type !== '@xstate.microstep' && event.type !== '@xstate.snapshot') return [];
	return (event.snapshot as { _nodes?: AnyStateNode[] })._nodes ?? [];
}

const scopeActor = createActor(connectionMachine, { input: modelInput });
let collected: Array<{ type: string; params?: unknown }> = [];
let taken: AnyTransitionDefinition[] = [];
scopeActor.system.inspect((event) => {
	taken.push(...takenTransitions(event));
});
const scope = {
	self: scopeActor,
	id: '',
	sessionId: '',
	system: scopeActor.system,
	logger: () => {},
	defer: () => {},
	emit: () => {},
	stopChild: () => {},
	actionExecutor: (action: { type: string; params?: unknown }) => collected.push(action)
} as unknown as Parameters<typeof connectionMachine.transition>[2]; // inert, like transition()'s own

/** The model's transition: one model event applied to a model state. */
export function stepModel(state: ModelState, event: ModelEvent): ModelState {
	if (event.type === 'model.sleep') return { ...state, skew: state.skew + event.ms, taken: [] };
	let clock = state.clock;
	let timers = state.timers;
	let machineEvent: EventObject = event;
	if (event.type === 'model.timer') {
		const timer = nextTimer(state);
		if (!timer) throw new Error('model: no timer pending');
		clock = Math.max(clock, timer.due);
		timers = timers.filter((t) => t !== timer);
		machineEvent = timer.event;
	}
	modelWall = clock + state.skew;
	collected = [];
	taken = [];
	const snapshot = connectionMachine.transition(
		state.snapshot,
		machineEvent as ConnectionEvent,
		scope
	);
	return {
		snapshot,
		clock,
		skew: state.skew,
		timers: applyTimerActions(timers, collected, clock),
		taken
	};
}

function initialState(config: ConnectionConfig = MODEL_CONFIG): ModelState {
	modelWall = 0;
	collected = [];
	const snapshot = connectionMachine.getInitialSnapshot(scope, { ...modelInput, config });
	return { snapshot, clock: 0, skew: 0, timers: applyTimerActions([], collected, 0), taken: [] };
}

/** The model as actor logic, for xstate/graph, for a machine config (the model's by default). */
export const modelLogic = (config: ConnectionConfig = MODEL_CONFIG) =>
	fromTransition(stepModel, () => initialState(config));
export const connectionModel = modelLogic();
export type ModelSnapshot = ReturnType<typeof connectionModel.getInitialSnapshot>;
export const initialModelSnapshot = (config: ConnectionConfig = MODEL_CONFIG): ModelSnapshot =>
	({
		status: 'active',
		context: initialState(config),
		output: undefined,
		error: undefined
	}) as ModelSnapshot;

const close = (code: number, reason: string): ModelEvent => ({
	type: 'socket.close',
	code,
	reason,
	wasClean: code !== 1006
});

/** One representative close code per class of rule 7, plus the error event. */
const SOCKET_ENDINGS: ModelEvent[] = [
	close(1000, 'replaced'),
	close(1008, 'policy violation'),
	close(1006, ''),
	{ type: 'socket.error', reason: 'socket error' }
];

const FRAMES: ModelEvent[] = [
	{ type: 'socket.message', message: { type: 'connected', clientId: 'model-client' } },
	{ type: 'socket.message', message: { type: 'ping', ts: 42 } },
	{ type: 'socket.message', message: { type: 'chat', text: 'hi' } }
];

/** The events worth trying in a model state: those the outside world can produce there. */
/** The `type` of a model's server message (the frames above), or undefined. */
export function messageType(message: unknown): unknown {
	return typeof message === 'object' && message !== null ? Reflect.get(message, 'type') : undefined;
}

export function modelEvents({ context: state }: ModelSnapshot): ModelEvent[] {
	const name = connectionStateName(state.snapshot);
	const { online } = state.snapshot.context;
	const events: ModelEvent[] = [];
	// Online matters when offline, and in open/stale where it re-checks the silence (rule 15).
	if (!online || name === 'open' || name === 'stale') events.push({ type: 'browser.online' });
	// Going offline changes what happens in backingOff only (rule 12).
	if (online && name === 'backingOff') events.push({ type: 'browser.offline' });
	if (state.timers.length) events.push({ type: 'model.timer' });
	if (name === 'idle') events.push({ type: 'CONNECT' });
	if (name !== 'idle') events.push({ type: 'DISCONNECT' });
	if (name === 'connecting') events.push({ type: 'socket.open' }, ...SOCKET_ENDINGS);
	if (name === 'open' || name === 'stale') {
		events.push(...FRAMES, ...SOCKET_ENDINGS, { type: 'SEND', data: 'hello' });
		events.push({ type: 'browser.visible' });
		// The tab hides right after the server spoke or right as the connection went stale:
		// enough to reach every silence rule late, and it keeps the silence finite.
		const silence = silenceOf(state);
		const { config } = state.snapshot.context;
		if (silence === 0 || (name === 'stale' && silence === config.staleAfter)) {
			events.push(...sleepsFor(config).map((ms) => ({ type: 'model.sleep' as const, ms })));
		}
	}
	if (name === 'backingOff') events.push({ type: 'RETRY' });
	if (name === 'failed') events.push({ type: 'CONNECT' }, { type: 'RETRY' });
	return events;
}

/** Wall-clock ms since the server last spoke, while a socket is open; else null. */
function silenceOf({ snapshot, clock, skew }: ModelState): number | null {
	const { lastMessageAt } = snapshot.context;
	return snapshot.matches({ session: 'live' }) && lastMessageAt !== null
		? clock + skew - lastMessageAt
		: null;
}

/**
 * A model state's identity: what decides its future, relative to now; no absolute times. The
 * skew itself is left out: a timer's due time relative to now does not depend on it, and its
 * effect on the guards shows in the silence.
 */
export function modelStateKey(state: ModelState): string {
	const { snapshot, clock, skew, timers } = state;
	const { context } = snapshot;
	const wall = clock + skew;
	const live = snapshot.matches({ session: 'live' });
	const name = connectionStateName(snapshot);
	// idle and failed forget the attempt counter (they start again from 0).
	const counting = name !== 'idle' && name !== 'failed';
	return JSON.stringify({
		value: snapshot.value,
		attempt: counting ? context.attempt : null,
		online: context.online,
		confirmed: live ? context.clientId !== null : null,
		silence: silenceOf(state),
		stable:
			live && context.openedAt !== null
				? wall - context.openedAt >= context.config.stableAfter
				: null,
		timers: timers.map((timer) => [timer.event.type, timer.due - clock])
	});
}

/** xstate/graph's view of `modelStateKey`. */
export const serializeModelState = (snapshot: ModelSnapshot): string =>
	modelStateKey(snapshot.context);

export const serializeModelEvent = (event: ModelEvent): string => JSON.stringify(event);
