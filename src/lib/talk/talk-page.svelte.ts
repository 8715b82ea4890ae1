/**
 * Everything the talk page runs, wired together: the connection actor, the conversation, the
 * avatar's voice, the microphone and the camera. The route renders from it and calls its
 * actions; the connection's state is read from the actor each time, never copied.
 *
 * Construct it in the browser only (onMount): it touches storage, speech and media.
 */
import { CAMERA_MESSAGES, type CameraStatus } from '$lib/camera/camera-status';
import { Camera } from '$lib/camera/camera';
import { ChatClient, type LiveReplyEvent } from '$lib/chat/chat-client';
import { resolveClientId } from '$lib/connection/client-id';
import { PageConnection } from '$lib/connection/page-connection.svelte';
import { socketUrl } from '$lib/connection/socket-url';
import { EventLog } from '$lib/inspector/event-log';
import { combineInspect } from '$lib/inspector/inspector-request';
import type { InspectorHandle } from '$lib/inspector/stately';
import type { Mood } from '$lib/protocol/server-messages';
import { LISTENER_MESSAGES, type ListenerStatus } from '$lib/speech/listener-status';
import { Listener } from '$lib/speech/listener';
import { Speaker } from '$lib/speech/speaker';

export interface TalkPageOptions {
	pageUrl: URL;
	/** PUBLIC_WS_URL, for a front end served apart from the server. */
	publicWsUrl?: string;
	storage: Storage | null;
	/** Stately's inspector, when the page was asked for it (`?inspect`). */
	inspector?: InspectorHandle;
}

/** Statuses after which the microphone button shows its message in place of a tooltip. */
const MIC_PROBLEMS: ReadonlySet<ListenerStatus> = new Set([
	'unsupported',
	'denied',
	'network',
	'no-speech',
	'audio-capture',
	'language',
	'error'
]);
const CAMERA_PROBLEMS: ReadonlySet<CameraStatus> = new Set([
	'unsupported',
	'denied',
	'no-camera',
	'busy',
	'error'
]);

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
	micStatus = $state<ListenerStatus>('idle');
	cameraStatus = $state<CameraStatus>('off');
	cameraStream = $state.raw<MediaStream | null>(null);
	/** The answer being spoken, for barge-in. */
	#speakingReplyId: string | null = null;

	constructor(options: TalkPageOptions) {
		this.clientId = resolveClientId(options.pageUrl.searchParams, options.storage);
		this.inspector = options.inspector;
		this.connection = new PageConnection({
			url: socketUrl(this.clientId, options.pageUrl, options.publicWsUrl),
			inspect: combineInspect(this.inspector?.inspect, this.log.observer())
		});
		this.speaker = new Speaker({
			onStart: () => (this.speaking = true),
			onEnd: () => {
				this.speaking = false;
				this.#speakingReplyId = null;
			}
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
			},
			onStatus: (status) => (this.micStatus = status)
		});
		this.micStatus = this.listener.status;
		this.camera = new Camera({
			onStatus: (status) => {
				this.cameraStatus = status;
				this.cameraStream = this.camera.stream;
			},
			onFrame: (frame) => this.chat.sendFrame(frame)
		});
	}

	get micMessage(): string {
		return LISTENER_MESSAGES[this.micStatus];
	}

	/** The microphone failed in a way the user should read (unsupported, denied, network …). */
	get micProblem(): boolean {
		return MIC_PROBLEMS.has(this.micStatus);
	}

	get cameraMessage(): string {
		return CAMERA_MESSAGES[this.cameraStatus];
	}

	get cameraProblem(): boolean {
		return CAMERA_PROBLEMS.has(this.cameraStatus);
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
		const replyId = this.#speakingReplyId ?? this.chat.transcript.streaming?.replyId;
		if (!replyId && !this.speaker.active) return;
		this.speaker.cancel();
		if (replyId) this.chat.interrupt(replyId);
		this.#speakingReplyId = null;
	}

	toggleMic(): void {
		if (!this.listener.listening) this.bargeIn();
		this.listener.toggle();
		this.micStatus = this.listener.status;
	}

	async toggleCamera(): Promise<void> {
		await this.camera.toggle();
		this.cameraStatus = this.camera.status;
		this.cameraStream = this.camera.stream;
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
				this.speaker.cancel();
				this.#speakingReplyId = event.replyId;
				this.mood = 'thinking';
				return;
			case 'delta':
				if (this.#speakingReplyId !== event.replyId) return;
				if (this.mood === 'thinking') this.mood = 'neutral';
				this.speaker.push(event.text);
				return;
			case 'end':
				if (event.mood) this.mood = event.mood;
				if (this.#speakingReplyId === event.replyId) this.speaker.end();
				return;
			case 'interrupted':
				if (this.#speakingReplyId === event.replyId) this.speaker.cancel();
				if (this.mood === 'thinking') this.mood = 'neutral';
				return;
		}
	}
}
