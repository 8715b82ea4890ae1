/**
 * What a device button shows (the camera, the microphone): the device's status, the sentence
 * that explains it, and whether it is a problem to show. The device class extends this and is
 * the one reactive owner of that state (runes), so the page reads it instead of keeping copies.
 */

/** A status's sentence and whether it is a problem, as each device defines them. */
export interface StatusMeaning<Status extends string> {
	messages: Readonly<Record<Status, string>>;
	isProblem: (status: Status) => boolean;
}

export abstract class DeviceStatus<Status extends string> {
	readonly #meaning: StatusMeaning<Status>;
	readonly #onStatus: ((status: Status, message: string) => void) | undefined;
	#status: Status;

	constructor(
		initial: Status,
		meaning: StatusMeaning<Status>,
		onStatus?: (status: Status, message: string) => void
	) {
		this.#status = $state(initial);
		this.#meaning = meaning;
		this.#onStatus = onStatus;
	}

	get status(): Status {
		return this.#status;
	}

	/** A sentence saying what the status means, for the device's button. */
	get message(): string {
		return this.#meaning.messages[this.#status];
	}

	/** The device cannot be used right now, and the button should say why. */
	get problem(): boolean {
		return this.#meaning.isProblem(this.#status);
	}

	/** Sets the status and tells `onStatus`. */
	protected setStatus(status: Status): void {
		this.#status = status;
		this.#onStatus?.(status, this.#meaning.messages[status]);
	}
}
