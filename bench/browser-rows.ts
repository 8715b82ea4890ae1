/** The browser benchmark's measurements as table rows with the targets, and notes. */
import type { CycleResult } from './browser-cycles';
import type { FrameResult, HeadFrames } from './browser-frames';
import {
	LOADER_LIBRARIES,
	type LoadTiming,
	type PageBytes,
	type ScriptFile
} from './browser-loads';
import type { FrameSample, LongScripts } from './browser-probe';
import { summarize } from './stats';
import { bytes, fmt, type Row } from './table';

export interface Section {
	rows: Row[];
	notes: string[];
}

/** Cycles: how many, heap before/after, sockets at once in the page and on the server. */
export function cycleRows(c: CycleResult): Section {
	const before = c.heap[0]?.bytes ?? Number.NaN;
	const after = c.heap.at(-1)?.bytes ?? Number.NaN;
	const growth = after - before;
	const short = c.done < c.wanted;
	const checkpoints = c.heap.map((h) => `${fmt(h.cycles)}: ${bytes(h.bytes)}`).join(', ');
	const rows: Row[] = [
		{
			figure: 'connect/disconnect cycles run (clicks on the page button)',
			value: `${fmt(c.done)} of ${fmt(c.wanted)} in ${fmt(c.ms / 1000, 's', 1)} (${fmt(c.ms / c.done, 'ms', 1)} each)`,
			target: short ? 'stopped at the 3-minute limit' : ''
		},
		{
			figure: 'page JS heap after GC, before / after',
			value: `${bytes(before)} / ${bytes(after)}`
		},
		{
			figure: `page JS heap growth over ${fmt(c.done)} cycles`,
			value: bytes(growth),
			target: '≤ 1 MB over 1,000 cycles'
		}
	];
	const warm = c.heap.find((h) => h.cycles === 250);
	if (warm && c.done > warm.cycles) {
		rows.push({
			figure: `of which after the first 250 cycles (250 -> ${fmt(c.done)})`,
			value: bytes(after - warm.bytes)
		});
	}
	if (short) {
		rows.push({
			figure: 'heap growth scaled to 1,000 cycles',
			value: bytes((growth * 1000) / c.done),
			target: '≤ 1 MB'
		});
	}
	rows.push(
		{
			figure: 'WebSockets CONNECTING or OPEN at once in the page, max',
			value: fmt(c.probe.maxActive),
			target: 'never more than 1'
		},
		{
			figure: 'WebSocket objects not yet closed at once in the page, max',
			value: fmt(c.probe.maxAlive)
		},
		{
			figure: `server connections at once (/healthz, ${fmt(c.serverSamples)} samples), max`,
			value: `${fmt(c.serverMax)} (above 1 in ${fmt(c.serverOverOne)} samples)`,
			target: 'never more than 1'
		},
		{
			figure: 'WebSockets created / closed by the page',
			value: `${fmt(c.probe.socketsCreated)} / ${fmt(c.probe.socketsClosed)}`
		}
	);
	return {
		rows,
		notes: [
			`Cycles: the page \`/?clientId=bench-cycles\` is opened, the badge reads \`open\` and the avatar has loaded; then, inside the page, the connection button is clicked (\`element.click()\`, ${fmt(25)} cycles per \`page.evaluate\`) and a MutationObserver waits for the badge to read \`idle\` and the button to offer Connect, then clicked again until \`open\` and Disconnect. That is the page's real actor and real sockets to the real server; nothing is exposed or changed in the app.`,
			`Heap: CDP \`HeapProfiler.collectGarbage\` (twice), then \`Runtime.getHeapUsage\`.usedSize of the page, at ${checkpoints}.`,
			'Sockets in the page: an init script (before any page script) replaces `window.WebSocket` with a subclass that keeps every socket until its `close` event. "CONNECTING or OPEN" counts those whose readyState is 0 or 1 each time one is constructed (the only moment the number can grow); "not yet closed" also counts a socket that was told to close but whose closing handshake has not finished. Server: `GET /healthz` `connections` (the ws server\'s client set) read every ~10 ms from Node throughout the cycles.'
		]
	};
}

/** Navigation to `open`: cold and warm cache. */
export function loadRows(cold: LoadTiming[], warm: LoadTiming[]): Section {
	const p = (values: number[]) => {
		const s = summarize(values.filter(Number.isFinite));
		return `${fmt(s.p50, 'ms')} / ${fmt(s.max, 'ms')}`;
	};
	const longest = cold
		.map((t) => t.blocked.longest)
		.reduce<LongScripts['longest']>((a, b) => (b && (!a || b.duration > a.duration) ? b : a), null);
	const opened = (loads: LoadTiming[]) => loads.filter((t) => !t.failure).length;
	const p50 = (values: number[]) => summarize(values.filter(Number.isFinite)).p50;
	const warmBytes = warm.reduce((n, t) => n + t.scriptTransfer, 0) / Math.max(1, warm.length);
	return {
		rows: [
			{
				figure: `navigation -> badge \`open\`, cold cache, p50 / max (${opened(cold)} loads)`,
				value: p(cold.map((t) => t.openAt)),
				target: '≤ 500 ms'
			},
			{
				figure: `navigation -> badge \`open\`, warm cache, p50 / max (${opened(warm)} loads)`,
				value: p(warm.map((t) => t.openAt)),
				target: '≤ 500 ms'
			},
			{
				figure: 'cold: navigation -> badge shown / socket created, p50',
				value: `${fmt(p50(cold.map((t) => t.firstBadgeAt)), 'ms')} / ${fmt(p50(cold.map((t) => t.firstSocketAt)), 'ms')}`
			},
			{
				figure:
					'cold: navigation -> socket created -> socket `open` event -> `connected` -> badge `open`, p50',
				value: [
					cold.map((t) => t.firstSocketAt),
					cold.map((t) => t.firstSocketOpenAt),
					cold.map((t) => t.firstMessageAt),
					cold.map((t) => t.openAt)
				]
					.map((values) => fmt(p50(values), 'ms'))
					.join(' -> '),
				target: 'badge `open` ≤ 300 ms'
			},
			{
				figure: 'cold: script in long frames between socket created and open, p50',
				value: fmt(p50(cold.map((t) => t.blocked.total)), 'ms')
			},
			{
				figure: 'longest such script (of all cold loads)',
				value: longest
					? `${fmt(longest.duration, 'ms')}, ${longest.source} (${longest.invoker})`
					: 'none'
			},
			{ figure: 'warm: script bytes over the network per load (mean)', value: bytes(warmBytes) },
			...[...cold, ...warm]
				.filter((t) => t.failure)
				.map((t) => ({
					figure: 'a load that never opened (left out above)',
					value: t.failure ?? ''
				}))
		],
		notes: [
			"Navigation -> open: `performance.now()` in the page (ms since `performance.timeOrigin`, the navigation start) when a MutationObserver installed by an init script first sees the badge with `data-state=open`. Cold: each load in a new browser context (empty HTTP cache, no storage). Warm: one context loads the page once unmeasured, then navigates to it again each time (the immutable chunks come from the HTTP cache). Every load uses a client id of its own. Script in long frames: the Long Animation Frames API (`long-animation-frame` entries, frames over 50 ms) in the page, the script time that fell between the socket's creation and `open` (clipped to that window), with the file and the kind of task (timer, event) of the longest."
		]
	};
}

/** The files among `files` that carry a model loader (GLTFLoader, three-vrm), by name. */
function loaderFiles(files: ScriptFile[]): string {
	const found = files.filter((f) => f.contains.some((l) => LOADER_LIBRARIES.includes(l as never)));
	if (found.length === 0) return 'none';
	return found.map((f) => `${f.path.split('/').at(-1)} (${f.contains.join(' + ')})`).join(', ');
}

/** Each file as `name decoded-size [libraries]`, for the notes. */
function fileList(files: ScriptFile[]): string {
	return files
		.map((f) => {
			const libraries = f.contains.length ? ` [${f.contains.join(', ')}]` : '';
			return `${f.path.split('/').at(-1)} ${bytes(f.decodedBodySize)}${libraries}`;
		})
		.join(', ');
}

/**
 * JavaScript before the badge, and the lazy avatar chunk; `withModel` is the same measure with
 * a model asked for by `?avatar=` (the loaders must still arrive only after the badge).
 */
export function bytesRows(b: PageBytes, withModel: PageBytes): Section {
	const show = (files: ScriptFile[]) => {
		const transfer = files.reduce((n, f) => n + f.transferSize, 0);
		const decoded = files.reduce((n, f) => n + f.decodedBodySize, 0);
		return `${bytes(transfer)} / ${bytes(decoded)}`;
	};
	const three = b.files.filter((f) => f.three);
	const beforeBadge = b.files.filter((f) => f.beforeBadge && !f.three);
	const afterBadge = b.files.filter((f) => !f.beforeBadge && !f.three);
	const largest = [...beforeBadge].sort((x, y) => y.decodedBodySize - x.decodedBodySize)[0];
	const encodings = [...new Set(b.files.map((f) => f.encoding || 'none'))].join(', ');
	const plural = (n: number) => `${n} file${n === 1 ? '' : 's'}`;
	const rows: Row[] = [
		{
			figure: `JS before the badge, ${plural(beforeBadge.length)} (transferred / decoded)`,
			value: show(beforeBadge)
		}
	];
	if (largest) {
		const name = largest.path.split('/').at(-1) ?? largest.path;
		const carries = largest.contains.length ? `, has ${largest.contains.join(' + ')}` : '';
		rows.push({ figure: `largest of them: ${name}${carries}`, value: show([largest]) });
	}
	rows.push(
		{
			figure: 'HTML document (transferred / decoded)',
			value: `${bytes(b.html.transferSize)} / ${bytes(b.html.decodedBodySize)}`
		},
		{
			figure: `avatar chunk (three.js), ${plural(three.length)}`,
			value: three.length ? show(three) : 'not found'
		},
		{ figure: `other JS after the badge, ${plural(afterBadge.length)}`, value: show(afterBadge) },
		{ figure: 'avatar status after load', value: b.avatarStatus }
	);
	const modelBefore = withModel.files.filter((f) => f.beforeBadge && !f.three);
	const modelAfter = withModel.files.filter((f) => !f.beforeBadge);
	rows.push(
		{
			figure: `with a model asked for (?avatar=, test GLB): JS before the badge, ${plural(modelBefore.length)}`,
			value: show(modelBefore)
		},
		{
			figure: 'model loaders (GLTFLoader, three-vrm) before the badge, without / with a model',
			value: `${loaderFiles(beforeBadge)} / ${loaderFiles(modelBefore)}`,
			target: 'none / none'
		},
		{
			figure: 'model loaders after the badge, with a model (loaded when asked for)',
			value: loaderFiles(modelAfter)
		},
		{ figure: 'avatar status after load, with a model', value: withModel.avatarStatus }
	);
	const threeEarly = three.some((f) => f.beforeBadge);
	return {
		rows,
		notes: [
			`Bytes from the Resource Timing API in one cold load: \`transferSize\` (headers + body as sent over the wire) and \`decodedBodySize\` (the JavaScript the browser parsed). Chromium sent \`Accept-Encoding: ${b.acceptEncoding || 'unknown'}\` and the server (adapter-node's precompressed files) answered the scripts with Content-Encoding: ${encodings}, so "transferred" is ${encodings.includes('none') ? 'partly uncompressed' : 'compressed'}.`,
			`"Before the badge": every script whose response had ended when the badge first entered the DOM (Resource Timing snapshot taken by the init script's MutationObserver at that moment); the badge renders only once the route's code runs, so this is what the page needed to show it. The avatar chunk is the script whose source contains "THREE.WebGLRenderer" (three.js's own warnings), loaded by the avatar's dynamic import; it is left out of "before the badge" ${threeEarly ? 'although it had already arrived by then' : 'and had not arrived by then'}. Libraries are recognised by strings minification keeps (GLTFLoader: "THREE.GLTFLoader", @pixiv/three-vrm: "VRMExpressionLoaderPlugin", elkjs: "org.eclipse.elk", @statelyai/inspect: "@statelyai.connected", xstate: "xstate.init").`,
			`Scripts before the badge, plain load: ${fileList(beforeBadge)}. With \`?avatar=\` (the test GLB, served by the benchmark; the load waits until the model shows): ${fileList(modelBefore)}; after the badge: ${fileList(modelAfter)}.`
		]
	};
}

/** The avatar's frame rate idle and while speaking. */
function chatLatency(ms: number[]): string {
	if (ms.length === 0) return 'not measured';
	const s = summarize(Float64Array.from(ms));
	return `${fmt(s.p50, 'ms')} / ${fmt(s.p95, 'ms')} / ${fmt(s.max, 'ms')}`;
}

export function frameRows(f: FrameResult): Section {
	const sample = (s: FrameSample | null, problem: string | null) =>
		s
			? `${fmt(s.renderFps, 'fps', 1)} (rAF ${fmt(s.rafFps, 'fps', 1)}) over ${fmt(s.seconds, 's', 1)}`
			: (problem ?? `not measured: avatar ${f.avatarStatus}`);
	return {
		rows: [
			{
				figure: 'avatar frames rendered, idle (rAF rate)',
				value: sample(f.idle, null),
				target: 'cap 15 fps (Avatar maxFps on a CPU renderer)'
			},
			{
				figure: 'avatar frames rendered, speaking (rAF rate)',
				value: sample(f.speaking, f.speakingProblem),
				target: 'cap 15 fps'
			},
			{
				figure: `chat typed while the avatar speaks: keydown -> message shown, p50 / p95 / max (${f.chatLatencyMs.length} chats)`,
				value: chatLatency(f.chatLatencyMs),
				target: 'p95 ≤ 100 ms'
			}
		],
		notes: [
			"Chat latency: while `data-speaking=true`, the input is filled and Enter pressed (Playwright, through CDP); in the page, from the Enter `keydown` event's timestamp (so the time the input waited behind other work counts) until a MutationObserver sees the user message with that text in the transcript (performance.now()). Each chat starts a new answer, and the next chat waits until the avatar speaks again.",
			'Frame rate: headless Chromium with WebGL in software (SwiftShader, `--use-angle=swiftshader`). The init script wraps the WebGL draw calls and counts the animation frames in which at least one draw happened (frames are told apart by `document.timeline.currentTime`, the same for every callback of one frame): that is the rate the avatar actually rendered. The rAF rate is a requestAnimationFrame counter in the same window, the most the page could render. The avatar caps itself at 15 fps on a CPU renderer such as this one (`maxFps` default 30 with a GPU, 15 without; FrameLoop may step lower), and its own `frameRate()` is not reachable from outside the component. Idle: 5 s after the avatar is ready and 1 s of settling; speaking: after sending "Who are you?", while `data-speaking=true`, up to 5 s.'
		]
	};
}

/** The avatar's frame rate with the test GLB, for comparison with frameRows' built-in head. */
export function modelFrameRows(m: HeadFrames & { bytes: number }): Section {
	const sample = (s: FrameSample | null, problem: string | null) =>
		s
			? `${fmt(s.renderFps, 'fps', 1)} (rAF ${fmt(s.rafFps, 'fps', 1)}) over ${fmt(s.seconds, 's', 1)}`
			: (problem ?? `not measured: avatar ${m.avatarStatus}`);
	return {
		rows: [
			{
				figure: `avatar frames with the test GLB (${bytes(m.bytes)}, ?avatar=), idle`,
				value: sample(m.idle, null),
				target: 'close to the built-in head'
			},
			{
				figure: 'avatar frames with the test GLB, speaking',
				value: sample(m.speaking, m.speakingProblem),
				target: 'close to the built-in head'
			}
		],
		notes: [
			"Test GLB: the head of support/avatar-files.ts (three's GLTFExporter: morph targets named `viseme_*` and ARKit, a skeleton, one 4x4 texture), served by the benchmark from its own HTTP server and loaded by `?avatar=` in a fresh context right after the built-in head's run; measured the same way once `data-avatar-model=glb`."
		]
	};
}
