/**
 * Everything the talk page runs, wired together: the tab's share of the connection (the actor
 * when this tab holds it, a mirror of it otherwise: `TabSession`), the conversation, the avatar's
 * voice, the microphone and the camera. The route renders from it and calls its actions. It
 * copies no state: the connection's is read from the actor or its mirror, the microphone's and
 * the camera's from `Listener` and `Camera`, the reply being spoken from the `Speaker`, the one
 * streaming from the transcript. Only the tab last shown or focused speaks aloud (`VoiceTab`);
 * every tab's avatar mouths the words.
 *
 * Construct it in the browser only (onMount): it touches storage, speech and media.
 */
import { Camera } from '$lib/camera/camera.svelte';
import type { LiveReplyEvent } from '$lib/chat/apply-stored';
import type { ChatSurface } from '$lib/chat/chat-surface';
import { Outbox } from '$lib/chat/outbox.svelte';
import { isMadeHere, replaceLostClientId, resolveClientId } from '$lib/connection/client-id';
import type { ConnectionView } from '$lib/connection/connection-view.svelte';
import { socketUrl } from '$lib/connection/socket-url';
import { EventLog } from '$lib/inspector/event-log';
import { combineInspect } from '$lib/inspector/inspector-request';
import type { InspectorHandle } from '$lib/inspector/stately';
import type { Narrator } from '$lib/narration/narrator';
import type { Mood } from '$lib/protocol/server-messages';
import { Listener } from '$lib/speech/listener.svelte';
import { MutePreference } from '$lib/speech/mute-preference.svelte';
import { Speaker } from '$lib/speech/speaker';
import type { LockManagerLike } from '$lib/tabs/leader-election';
import type { BroadcastLike } from '$lib/tabs/tab-channel';
import { TabSession } from '$lib/tabs/tab-session.svelte';
import { VoiceTab } from '$lib/tabs/voice-tab.svelte';

export interface TalkPageOptions {
	pageUrl: URL;
	/** PUBLIC_WS_URL, for a front end served apart from the server. */
	publicWsUrl?: string;
	storage: Storage | null;
	/** Stately's inspector, when the page was asked for it (`?inspect`). */
	inspector?: InspectorHandle;
	/** Tells the connection's steps in the console (`?debug`), when given. */
	narrator?: Narrator | null;
	/** Loads the page again (default `location.reload()`), after its lost client id was replaced. */
	reload?: () => void;
}

export class TalkPage {
	readonly clientId: string;
	readonly tabs: TabSession;
	readonly voice: VoiceTab;
	readonly mute: MutePreference;
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

	constructor(options: TalkPageOptions) {
		this.clientId = resolveClientId(options.pageUrl.searchParams, options.storage);
		this.inspector = options.inspector;
		this.mute = new MutePreference(options.storage);
		this.speaker = new Speaker({
			onStart: () => (this.speaking = true),
			onEnd: () => (this.speaking = false)
		});
		this.tabs = new TabSession({
			clientId: this.clientId,
			socketUrl: socketUrl(this.clientId, options.pageUrl, options.publicWsUrl),
			storage: options.storage,
			inspect: combineInspect(this.inspector?.inspect, this.log.observer()),
			narrator: options.narrator,
			log: this.log,
			onLiveReply: (event) => this.#onLiveReply(event),
			// An id of this browser's whose token never arrived: start again with a new one.
			onIdLost: isMadeHere(options.pageUrl.searchParams)
				? () => {
						const made = replaceLostClientId(options.storage, this.clientId);
						// The unsent messages go with the page to its new id.
						if (made && options.storage) Outbox.move(options.storage, this.clientId, made);
						(options.reload ?? (() => location.reload()))();
					}
				: undefined,
			locks: webLocks(),
			openChannel: broadcastChannels()
		});
		this.voice = new VoiceTab(this.tabs.channel);
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

	/** The connection as this tab shows it: undefined until it knows its role; reactive. */
	get connection(): ConnectionView | undefined {
		return this.tabs.connection;
	}

	get chat(): ChatSurface {
		return this.tabs.chat;
	}

	get muted(): boolean {
		return this.mute.muted;
	}

	start(): void {
		this.tabs.start();
		this.voice.start(window, () => this.#applyVoice());
		this.mute.listen(window, () => this.#applyVoice());
		this.#applyVoice();
	}

	stop(): void {
		this.listener.dispose();
		this.camera.dispose();
		this.speaker.dispose();
		this.voice.stop();
		this.mute.stop();
		this.tabs.stop();
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
		this.mute.toggle();
		this.#applyVoice();
	}

	/** Aloud only when not muted and this is the tab that speaks; mouthed in any case. */
	#applyVoice(): void {
		this.speaker.muted = this.mute.muted || !this.voice.speaks;
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

/** `navigator.locks`, where the browser has it. */
function webLocks(): LockManagerLike | null {
	return typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : null;
}

/** Opens a `BroadcastChannel`, where the browser has them. */
function broadcastChannels(): ((name: string) => BroadcastLike) | null {
	return typeof BroadcastChannel === 'undefined' ? null : (name) => new BroadcastChannel(name);
}
