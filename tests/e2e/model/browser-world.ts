/**
 * The world a browser model path runs in: a server process serving the page, the real server
 * process its socket talks to, and the fault proxy between them (PUBLIC_WS_URL points at it),
 * and a page on Playwright's paused fake clock. `perform` makes the outside world produce one
 * model event; `prepareAttempt` sets the link up before the page starts a connection attempt,
 * since whether a handshake completes, fails or hangs is decided when it starts.
 */
import { expect, type BrowserContext, type Page } from '@playwright/test';
import { WebSocket } from 'ws';
import { connectionStateName } from '../../../machines/connection';
import {
	messageType,
	nextTimer,
	type ModelEvent,
	type ModelState
} from '../../model/connection-model';
import { startFaultProxy, type FaultProxy } from '../../../support/fault-proxy';
import { freePort, startTestServer, type TestServer } from '../page-support';

/** Fake time at which every path starts. */
const START = Date.parse('2026-11-26T12:00:00Z');
/** How often the server sends its JSON ping while it runs (real time). */
const SERVER_PING_MS = 300;

export interface World {
	/** Serves the page (a split deployment: the page never depends on the socket's server). */
	app: TestServer;
	/** The socket's server, frozen, restarted and replaced by the tests. */
	server: TestServer;
	proxy: FaultProxy;
	close(): Promise<void>;
}

/** Starts the page's server, the socket's server and the proxy between page and socket. */
export async function startWorld(): Promise<World> {
	const [appPort, serverPort, proxyPort] = [await freePort(), await freePort(), await freePort()];
	const app = await startTestServer({ PUBLIC_WS_URL: `ws://127.0.0.1:${proxyPort}` }, appPort);
	const server = await startTestServer(
		{
			ALLOWED_ORIGINS: app.url,
			PING_INTERVAL_MS: String(SERVER_PING_MS),
			// Protocol-level pings would terminate a socket the frozen server could not answer.
			WS_PING_INTERVAL: '3600',
			BRAIN_CHUNK_DELAY_MS: '0'
		},
		serverPort
	);
	const proxy = await startFaultProxy({
		target: { host: '127.0.0.1', port: serverPort },
		port: proxyPort
	});
	return {
		app,
		server,
		proxy,
		async close() {
			await proxy.close();
			await server.dispose();
			await app.dispose();
		}
	};
}

/** One path's page and what the world knows about it. */
export class PathRun {
	readonly #page: Page;
	readonly #context: BrowserContext;
	readonly #world: World;
	readonly #clientId: string;
	#fakeNow = START;
	#frozen = false;
	#loaded = false;

	constructor(page: Page, context: BrowserContext, world: World, clientId: string) {
		this.#page = page;
		this.#context = context;
		this.#world = world;
		this.#clientId = clientId;
	}

	/** Before a step that starts a connection attempt: make the handshake open, fail or hang. */
	prepareAttempt(next: ModelEvent | undefined): void {
		const { proxy } = this.#world;
		if (next?.type === 'socket.open') {
			proxy.setMode('pass');
			this.#thaw();
		} else if (next?.type === 'socket.error') {
			proxy.setMode('refuse');
		} else {
			proxy.setMode('pass');
			this.#freeze(); // the handshake waits in the frozen server's backlog
		}
	}

	/** Makes the outside world produce `event` in model state `before`. */
	async perform(event: ModelEvent, before: ModelState): Promise<void> {
		const page = this.#page;
		switch (event.type) {
			case 'CONNECT':
				if (!this.#loaded) return this.#load();
				return this.#press('connection-button');
			case 'DISCONNECT':
				if (connectionStateName(before.snapshot) === 'failed') return this.#panelSend('DISCONNECT');
				return this.#press('connection-button');
			case 'RETRY':
				if (connectionStateName(before.snapshot) === 'failed') return this.#panelSend('RETRY');
				return this.#press('retry-button');
			case 'browser.online':
				// A browser says `online` only when it was offline; an `online` while online (which
				// the page must also handle: rule 15) is dispatched as the browser would.
				if (!before.snapshot.context.online) return this.#context.setOffline(false);
				await page.evaluate(() => void window.dispatchEvent(new Event('online')));
				return;
			case 'browser.offline':
				return this.#context.setOffline(true);
			case 'browser.visible':
				await page.evaluate(() => void document.dispatchEvent(new Event('visibilitychange')));
				return;
			case 'model.sleep':
				// A hidden tab: the wall clock moves on, the throttled timers do not.
				this.#fakeNow += event.ms;
				return page.clock.setSystemTime(this.#fakeNow);
			case 'model.timer': {
				const timer = nextTimer(before);
				if (!timer) throw new Error('no timer pending');
				const delta = timer.due - before.clock;
				this.#fakeNow += delta;
				return page.clock.fastForward(delta);
			}
			case 'socket.open':
				return; // the prepared handshake completes by itself
			case 'socket.message':
				if (messageType(event.message) === 'connected') return this.#afterGreeting();
				return this.#serverSpeaks();
			case 'socket.error':
				if (connectionStateName(before.snapshot) === 'connecting') return; // refused, prepared
				this.#world.proxy.reset();
				return;
			case 'socket.close':
				return this.#close(event.code);
			case 'SEND':
				await page.getByTestId('chat-input').fill('hello');
				return page.getByTestId('chat-input').press('Enter');
			default:
				throw new Error(`not producible from outside: ${event.type}`);
		}
	}

	/** The badge shows the model's state and attempt. */
	async expectState(model: ModelState, where: string): Promise<void> {
		const name = connectionStateName(model.snapshot);
		const badge = this.#page.getByTestId('connection-badge');
		await expect(badge, where).toHaveAttribute('data-state', name);
		if (name !== 'idle' && name !== 'failed') {
			await expect(badge, where).toHaveAttribute(
				'data-attempt',
				String(model.snapshot.context.attempt)
			);
		}
	}

	/** Leaves the world as the next path expects it: server running, link passing, online. */
	async finish(): Promise<void> {
		this.#thaw();
		this.#world.proxy.setMode('pass');
		await this.#context.setOffline(false);
	}

	async #load(): Promise<void> {
		const page = this.#page;
		// Installed a minute early: pausing at START must never be a step into the past, which it
		// is when a busy machine lets the installed clock run a few ms before the pause.
		await page.clock.install({ time: START - 60_000 });
		await page.clock.pauseAt(START);
		const id = this.#clientId;
		await page.goto(`${this.#world.app.url}/?clientId=${encodeURIComponent(id)}`);
		this.#loaded = true;
		await expect(page.getByTestId('connection-badge')).toBeVisible();
		await page.keyboard.press('Shift+I'); // the inspector panel, for RETRY/DISCONNECT in failed
	}

	/** The server greeted the page; from now on it stays silent unless a step says otherwise. */
	async #afterGreeting(): Promise<void> {
		await expect(this.#page.getByTestId('client-id')).toBeVisible();
		this.#freeze();
	}

	/** The server runs long enough to send its ping (and answer what is waiting), then freezes. */
	async #serverSpeaks(): Promise<void> {
		this.#thaw();
		await this.#page.waitForTimeout(SERVER_PING_MS * 3);
		this.#freeze();
	}

	async #close(code: number): Promise<void> {
		const { server } = this.#world;
		this.#thaw();
		if (code === 1012) {
			await server.restart(); // SIGTERM: every socket closed with 1012
			return;
		}
		if (code === 1000) {
			// A second connection with the same client id, proving it with the page's token,
			// replaces the page's: 1000 "replaced".
			const id = this.#clientId;
			const token = await this.#page.evaluate(
				(clientId) => localStorage.getItem(`talkline.token.${clientId}`),
				id
			);
			if (!token) throw new Error(`the page holds no token for ${id}`);
			const other = new WebSocket(server.wsUrl(id));
			const messages: string[] = [];
			await new Promise<void>((resolve, reject) => {
				other.on('message', (data) => {
					messages.push(String(data));
					if (messages.length === 1) {
						other.send(JSON.stringify({ type: 'resume', lastSeq: 0, token }));
						other.send(JSON.stringify({ type: 'ping' })); // its pong: the resume is handled
					} else if (messages.at(-1)?.includes('"type":"pong"')) resolve();
				});
				other.once('error', reject);
			});
			other.close();
			return;
		}
		if (code === 1008) return; // the page's invalid client id: the server answers 4400 at once
		throw new Error(`no way to make the server close with ${code}`);
	}

	async #panelSend(type: string): Promise<void> {
		const button = this.#page.locator(`[data-testid=inspector-send][data-event=${type}]`);
		await expect(button).toBeEnabled();
		await button.dispatchEvent('click');
	}

	/**
	 * Presses a button of the page. Playwright's `click` waits for two animation frames to see the
	 * button stand still, and on a paused fake clock no frame comes, so the click is dispatched on
	 * the visible, enabled button instead.
	 */
	async #press(testId: string): Promise<void> {
		const button = this.#page.getByTestId(testId);
		await expect(button).toBeVisible();
		await expect(button).toBeEnabled();
		await button.dispatchEvent('click');
	}

	#freeze(): void {
		if (this.#frozen) return;
		this.#world.server.freeze();
		this.#frozen = true;
	}

	#thaw(): void {
		if (!this.#frozen) return;
		this.#world.server.thaw();
		this.#frozen = false;
	}
}
