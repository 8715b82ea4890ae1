/**
 * Which tab of a client id speaks answers aloud: the one that was last visible or focused. A tab
 * claims the voice when it is shown or focused and tells the others, which fall silent (their
 * avatars still mouth the words). Without a channel every tab speaks for itself, as before.
 */
import type { TabChannel } from './tab-channel';

/** Where the tab's visibility and focus come from (tests pass a fake). */
export interface VoiceWindow {
	addEventListener(type: 'focus', listener: () => void): void;
	removeEventListener(type: 'focus', listener: () => void): void;
	document: {
		visibilityState: DocumentVisibilityState;
		addEventListener(type: 'visibilitychange', listener: () => void): void;
		removeEventListener(type: 'visibilitychange', listener: () => void): void;
	};
}

export class VoiceTab {
	/** This tab is the one that speaks; reactive. */
	speaks = $state(true);
	readonly #channel: TabChannel | null;
	readonly #cleanups: Array<() => void> = [];
	#onChange: () => void = () => {};

	constructor(channel: TabChannel | null) {
		this.#channel = channel;
	}

	/** Listens to the tab's visibility and focus; `onChange` follows every change of `speaks`. */
	start(win: VoiceWindow, onChange: () => void = () => {}): void {
		this.#onChange = onChange;
		const claim = () => this.claim();
		const onVisibility = () => {
			if (win.document.visibilityState === 'visible') claim();
		};
		win.addEventListener('focus', claim);
		win.document.addEventListener('visibilitychange', onVisibility);
		this.#cleanups.push(() => win.removeEventListener('focus', claim));
		this.#cleanups.push(() => win.document.removeEventListener('visibilitychange', onVisibility));
		if (this.#channel) {
			this.#cleanups.push(
				this.#channel.listen((message) => {
					if (message.type === 'voice') this.#set(false);
				})
			);
		}
		if (win.document.visibilityState === 'visible') claim();
		else this.#set(false);
	}

	/** This tab takes the voice (it was shown or focused). */
	claim(): void {
		if (this.speaks && this.#channel === null) return;
		this.#set(true);
		this.#channel?.post({ type: 'voice' });
	}

	#set(speaks: boolean): void {
		if (this.speaks === speaks) return;
		this.speaks = speaks;
		this.#onChange();
	}

	stop(): void {
		for (const cleanup of this.#cleanups.splice(0)) cleanup();
	}
}
