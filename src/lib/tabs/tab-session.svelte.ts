/**
 * One connection per browser and client id, shared by all its tabs. Each tab asks for the client
 * id's Web Lock; the tab holding it (the leader) runs the connection actor, the socket and the
 * outbox, and tells the other tabs (followers) over a `BroadcastChannel` what its machine does
 * and what the server says. Followers render a mirror of the leader's machine
 * (`MirrorActor`) and hand what is typed in them to the leader (`FollowerChat`). When the leader
 * goes away, the browser gives the lock to a follower, which starts the connection, resumes from
 * the last seq its transcript holds and sends what is still unsent, its own held messages
 * included; the others send theirs to it.
 *
 * Where Web Locks or BroadcastChannel are missing, the tab leads on its own at once, as every
 * tab did before. The transcript is the tab's own and outlives its role.
 */
import type { InspectionEvent, Observer } from 'xstate';
import { ChatClient } from '$lib/chat/chat-client';
import type { LiveReplyEvent } from '$lib/chat/apply-stored';
import type { ChatSurface } from '$lib/chat/chat-surface';
import type { OutboxEntry } from '$lib/chat/outbox.svelte';
import { Transcript } from '$lib/chat/transcript.svelte';
import { ConnectionView } from '$lib/connection/connection-view.svelte';
import { PageConnection, type PageConnectionOptions } from '$lib/connection/page-connection.svelte';
import { combineInspect } from '$lib/inspector/inspector-request';
import type { EventLog, EventLogEntry } from '$lib/inspector/event-log';
import type { Narrator } from '$lib/narration/narrator';
import { validateServerMessage } from '$lib/protocol/parse';
import { FollowerChat } from './follower-chat.svelte';
import { electLeader, lockName, type LockManagerLike } from './leader-election';
import { MirrorActor, mirrorOf } from './mirror-actor';
import { channelName, TabChannel, type BroadcastLike } from './tab-channel';
import { TabDelivery } from './tab-delivery.svelte';
import type { TabMessage } from './tab-messages';

export type TabRole = 'waiting' | 'leader' | 'follower';

export interface TabSessionOptions {
	clientId: string;
	/** The socket's URL, for the connection this tab may come to run. */
	socketUrl: string;
	storage: Storage | null;
	/** Watches the connection actor when this tab runs it (Stately's inspector, the event log). */
	inspect?: Observer<InspectionEvent>;
	narrator?: Narrator | null;
	/** The inspector's event log: fed by the actor here, or mirrored from the leader's. */
	log?: EventLog;
	onLiveReply?: (event: LiveReplyEvent) => void;
	/** The client id was made here and its token was lost (ChatClientOptions.onIdLost). */
	onIdLost?: () => void;
	/** `navigator.locks`; null where the browser has none. */
	locks: LockManagerLike | null;
	/** Opens a `BroadcastChannel`; null where the browser has none. */
	openChannel: ((name: string) => BroadcastLike) | null;
	/** This tab's id on the channel; random by default. */
	tabId?: string;
	/** More options for the connection this tab may run (tests: a fake socket and clock). */
	connection?: Omit<PageConnectionOptions, 'url' | 'inspect'>;
}

export class TabSession {
	readonly transcript: Transcript;
	readonly channel: TabChannel | null;
	/** What the page draws the connection from: the actor here, or the leader's mirrored; reactive. */
	connection = $state.raw<ConnectionView | undefined>(undefined);
	role = $state<TabRole>('waiting');
	readonly #options: TabSessionOptions;
	readonly #delivery = new TabDelivery();
	readonly #cleanups: Array<() => void> = [];
	#client: ChatClient | null = null;
	#running: PageConnection | null = null;
	#follower: FollowerChat | null = null;
	#mirror: MirrorActor | null = null;
	#unfollow: (() => void) | null = null;
	#release: (() => void) | null = null;

	constructor(options: TabSessionOptions) {
		this.#options = options;
		this.transcript = new Transcript(this.#delivery);
		const canShare = options.locks !== null && options.openChannel !== null;
		this.channel =
			canShare && options.openChannel
				? new TabChannel(
						options.openChannel(channelName(options.clientId)),
						options.tabId ?? makeTabId()
					)
				: null;
	}

	/** Where the page sends messages: the chat client when leading, else the follower's. */
	get chat(): ChatSurface {
		const chat = this.#client ?? this.#follower;
		if (!chat) throw new Error('TabSession.chat: start() the session first');
		return chat;
	}

	/** Leads at once where the tabs cannot share; else follows until the lock comes. */
	start(): void {
		const { channel } = this;
		const locks = this.#options.locks;
		if (!channel || !locks) {
			this.#options.narrator?.tab('alone');
			this.#lead();
			return;
		}
		this.#follower = new FollowerChat({
			transcript: this.transcript,
			channel,
			onLiveReply: this.#options.onLiveReply
		});
		this.#delivery.use(this.#follower);
		this.#cleanups.push(channel.listen((message) => this.#receive(message)));
		this.#follower.start();
		this.#release = electLeader(locks, lockName(this.#options.clientId), () => this.#lead());
	}

	stop(): void {
		this.#release?.();
		this.#release = null;
		this.#unfollow?.();
		for (const cleanup of this.#cleanups.splice(0)) cleanup();
		this.#client?.stop();
		this.#running?.stop();
		this.channel?.close();
	}

	#receive(message: TabMessage): void {
		if (this.role === 'leader') return this.#serve(message);
		this.#follower?.receive(message);
		if (message.type === 'log') this.#options.log?.replace(message.entries);
		if (message.type === 'leader' && this.role === 'follower') {
			this.#options.narrator?.tab('new-leader');
		}
		if (message.type !== 'snapshot') return;
		if (this.#mirror) return this.#mirror.update(message);
		const mirror = new MirrorActor(message, (command) =>
			this.channel?.post({ type: 'command', command: command.type })
		);
		this.#mirror = mirror;
		this.connection = new ConnectionView(mirror);
		this.role = 'follower';
		this.#options.narrator?.tab('follower');
		this.#unfollow = this.#options.narrator?.follow(mirror) ?? null;
	}

	/** This tab holds the lock (or shares nothing): it runs the connection from now on. */
	#lead(): void {
		const options = this.#options;
		const held = this.#follower?.held ?? [];
		this.#follower = null;
		this.#mirror = null;
		this.#unfollow?.();
		this.#unfollow = null;
		const connection = new PageConnection({
			...options.connection,
			url: options.socketUrl,
			inspect: combineInspect(options.inspect, options.narrator?.observer())
		});
		const client = new ChatClient({
			connection,
			clientId: options.clientId,
			storage: options.storage,
			transcript: this.transcript,
			onLiveReply: options.onLiveReply,
			onIdLost: options.onIdLost,
			onOutboxChange: (entries) => this.#postOutbox(entries)
		});
		this.#running = connection;
		this.#client = client;
		this.#delivery.use(client.delivery);
		this.#broadcast(connection);
		this.connection = connection;
		this.role = 'leader';
		options.narrator?.tab('leader');
		this.channel?.post({ type: 'leader' });
		client.start();
		for (const { message, withImage } of held) client.accept(message, withImage);
		connection.start();
		this.#postOutbox(client.queued);
	}

	/** Tells the followers each step of the machine and each server message, before this tab acts. */
	#broadcast(connection: PageConnection): void {
		const channel = this.channel;
		if (!channel) return;
		this.#cleanups.push(
			connection.onMessage((data) => {
				const parsed = validateServerMessage(data);
				if (parsed.ok) channel.post({ type: 'server', message: parsed.message });
			})
		);
		const subscription = connection.actor.subscribe((snapshot) =>
			channel.post({ type: 'snapshot', ...mirrorOf(snapshot) })
		);
		this.#cleanups.push(() => subscription.unsubscribe());
		const log = this.#options.log;
		if (log) this.#cleanups.push(log.subscribe((entries) => this.#postLog(entries)));
	}

	/** A follower's request, in the leader. */
	#serve(message: TabMessage): void {
		const client = this.#client;
		const connection = this.#running;
		if (!client || !connection) return;
		switch (message.type) {
			case 'hello': {
				const { lastSeq, epoch } = message;
				this.channel?.post({
					type: 'history',
					to: message.from,
					...(this.transcript.epoch === undefined ? {} : { epoch: this.transcript.epoch }),
					messages: this.transcript.appliedSince(lastSeq, epoch)
				});
				this.channel?.post({ type: 'snapshot', ...mirrorOf(connection.snapshot) });
				this.#postOutbox(client.queued);
				if (this.#options.log) this.#postLog(this.#options.log.entries);
				return;
			}
			case 'submit':
				client.accept(message.message, message.withImage);
				this.channel?.post({ type: 'taken', to: message.from, id: message.message.id });
				return;
			case 'command':
				connection.actor.send({ type: message.command });
				return;
			case 'interrupt':
				client.interrupt(message.replyId);
				return;
			default:
				return;
		}
	}

	#postLog(entries: readonly EventLogEntry[]): void {
		this.channel?.post({ type: 'log', entries: [...entries] });
	}

	#postOutbox(entries: readonly OutboxEntry[]): void {
		this.channel?.post({
			type: 'outbox',
			entries: entries.map((entry) =>
				entry.message.type === 'chat'
					? { id: entry.id, state: entry.state, text: entry.message.text }
					: { id: entry.id, state: entry.state }
			)
		});
	}
}

function makeTabId(): string {
	return typeof crypto !== 'undefined' && 'randomUUID' in crypto
		? crypto.randomUUID()
		: `tab-${Math.random().toString(36).slice(2)}`;
}
