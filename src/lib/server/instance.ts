/**
 * The one socket server of this process, kept on `globalThis` so that the Vite dev plugin, SSR
 * modules and the production entry (which may load separate copies of this file) share it.
 */
import type { TalklineCore } from './talkline-core';

const KEY = Symbol.for('talkline.server');
type Holder = { [KEY]?: TalklineCore };

/** Records the running server (undefined to forget it). */
export function setTalklineInstance(core: TalklineCore | undefined): void {
	(globalThis as Holder)[KEY] = core;
}

/** The running server, if one has started in this process. */
export function getTalklineInstance(): TalklineCore | undefined {
	return (globalThis as Holder)[KEY];
}
