/**
 * Everything the talk page runs, wired together: the connection actor, the conversation, the
 * avatar's voice, the microphone and the camera. The route renders from it and calls its
 * actions. It copies no state: the connection's is read from the actor, the microphone's and the
 * camera's from `Listener` and `Camera`, the reply being spoken from the `Speaker`, the one
 * streaming from the transcript.
 *
 * Construct it in the browser only (onMount): it touches storage, speech and media.
 */
import { Camera } from '$lib/camera/camera.svelte';
import { ChatClient, type LiveReplyEvent } from '$lib/chat/chat-client';
import { resolveClientId } from '$lib/connection/client-id';
import { PageConnection } from '$lib/connection/page-connection.svelte';
import { socketUrl } from '$lib/connection/socket-url';
import { EventLog } from '$lib/inspector/event-log';
import { combineInspect } from '$lib/inspector/inspector-request';
import type { InspectorHandle } from '$lib/inspector/stately';
import type { Mood } from '$lib/protocol/server-messages';
import { Listener } from '$lib/speech/listener.svelte';
import { Speaker } from '$lib/speech/speaker';

export interface TalkPageOptions {
	pageUrl: URL;
	/** PUBLIC_WS_URL, for a front end served apart from the server. */
	publicWsUrl?: string;
	storage: Storage | null;
	/** Stately's inspector, when the page was asked for it (`?inspect`). */
	inspector?: InspectorHandle;
}

export class TalkPage {
	readonly clientId: string;
	readonly connection: PageConnection;
	readonly chat: ChatClient;
	readonly speaker: Speaker;
	readonly listener: Listener;
	readonly camera: Camera;
	readonly log = new EventLog();
	readonly inspector: InspectorHandle | undefined;

	/** The avatar is saying an answer (aloud or mouthing it). */
	speaking = $state(false);
	/** The mood of the current answer; `thinking` while waiting for it. */
	mood = $state<Mood>('neutral');
	/** The text in the input (the microphone's interim text shows here too). */
	draft = $state('');
	/** Why the last message could not be sent, if it could not. */
	sendError = $state<string | null>(null);
	muted = $state(false);

	constructor(options: TalkPageOptions) {
		this.clientId = resolveClientId(options.pageUrl.searchParams, options.storage);
		this.inspector = options.inspector;
		this.connection = new PageConnection({
			url: socketUrl(this.clientId, options.pageUrl, options.publicWsUrl),
			inspect: combineInspect(this.inspector?.inspect, this.log.observer())
		});
		this.speaker = new Speaker({
			onStart: () => (this.speaking = true),
			onEnd: () => (this.speaking = false)
		});
		this.chat = new ChatClient({
			connection: this.connection,
			clientId: this.clientId,
			storage: options.storage,
			onLiveReply: (event) => this.#onLiveReply(event)
		});
		this.listener = new Listener({
			onInterim: (text) => (this.draft = text),
			onFinal: (text) => {
				this.draft = text;
				this.submit();
			}
		});
		this.camera = new Camera({
			onFrame: (frame) => this.chat.sendFrame(frame)
		});
	}

	start(): void {
		this.chat.start();
		this.connection.start();
	}

	stop(): void {
		this.listener.dispose();
		this.camera.dispose();
		this.speaker.dispose();
		this.chat.stop();
		this.connection.stop();
		this.inspector?.stop();
	}

	/** Sends the draft (with a camera still when the camera is on). */
	async submit(): Promise<void> {
		const text = this.draft;
		if (!text.trim()) return;
		this.bargeIn();
		const still = this.camera.on ? await this.camera.captureForMessage() : null;
		this.sendError = this.chat.send(text, still);
		if (!this.sendError) this.draft = '';
	}

	/** The user typed: their words take the floor if the avatar is talking. */
	typed(text: string): void {
		this.draft = text;
		if (text.trim()) this.bargeIn();
		this.sendError = null;
	}

	/** Stops the avatar mid-answer: speech stops and the server is asked to stop the reply. */
	bargeIn(): void {
		const replyId = this.speaker.replyId ?? this.chat.transcript.streaming?.replyId;
		if (!replyId && !this.speaker.active) return;
		this.speaker.cancel();
		if (replyId) this.chat.interrupt(replyId);
	}

	toggleMic(): void {
		if (!this.listener.listening) this.bargeIn();
		this.listener.toggle();
	}

	async toggleCamera(): Promise<void> {
		await this.camera.toggle();
	}

	toggleMute(): void {
		this.muted = !this.muted;
		this.speaker.muted = this.muted;
	}

	/** Viseme weights for the avatar's frame loop (no Svelte update per frame). */
	readonly visemes = () => this.speaker.visemeWeights();

	#onLiveReply(event: LiveReplyEvent): void {
		switch (event.type) {
			case 'start':
				this.speaker.begin(event.replyId);
				this.mood = 'thinking';
				return;
			case 'delta':
				if (this.speaker.replyId !== event.replyId) return;
				if (this.mood === 'thinking') this.mood = 'neutral';
				this.speaker.push(event.text);
				return;
			case 'end':
				if (event.mood) this.mood = event.mood;
				if (this.speaker.replyId === event.replyId) this.speaker.end();
				return;
			case 'interrupted':
				if (this.speaker.replyId === event.replyId) this.speaker.cancel();
				if (this.mood === 'thinking') this.mood = 'neutral';
				return;
		}
	}
}
