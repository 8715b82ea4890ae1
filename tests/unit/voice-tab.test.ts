/** Which tab speaks aloud (issue 15): the one last shown or focused; the others fall silent. */
import { afterEach, describe, expect, it } from 'vitest';
import { TabChannel } from '../../src/lib/tabs/tab-channel';
import { VoiceTab } from '../../src/lib/tabs/voice-tab.svelte';
import { FakeBrowser, settle } from '../support/fake-tabs';
import { FakeWindow } from '../support/fake-window';

const voices: VoiceTab[] = [];
afterEach(() => voices.splice(0).forEach((voice) => voice.stop()));

function tab(browser: FakeBrowser, name: string, visible = true) {
	const win = new FakeWindow();
	win.document.visibilityState = visible ? 'visible' : 'hidden';
	const voice = new VoiceTab(new TabChannel(browser.channel(name)('talkline:x'), name));
	let changes = 0;
	voice.start(win, () => changes++);
	voices.push(voice);
	return { voice, win, changes: () => changes };
}

describe('VoiceTab', () => {
	it('the tab shown last speaks; focusing another moves the voice there', async () => {
		const browser = new FakeBrowser();
		const a = tab(browser, 'a');
		await settle();
		const b = tab(browser, 'b');
		await settle();
		expect([a.voice.speaks, b.voice.speaks]).toEqual([false, true]);
		expect(a.changes()).toBe(1);

		a.win.fire('focus');
		await settle();
		expect([a.voice.speaks, b.voice.speaks]).toEqual([true, false]);

		b.win.document.visibilityState = 'visible';
		b.win.document.fire('visibilitychange');
		await settle();
		expect([a.voice.speaks, b.voice.speaks]).toEqual([false, true]);
	});

	it('a tab opened in the background does not take the voice', async () => {
		const browser = new FakeBrowser();
		const a = tab(browser, 'a');
		const b = tab(browser, 'b', false);
		await settle();
		expect([a.voice.speaks, b.voice.speaks]).toEqual([true, false]);
	});

	it('without a channel every tab speaks for itself', () => {
		const voice = new VoiceTab(null);
		voice.start(new FakeWindow());
		voices.push(voice);
		expect(voice.speaks).toBe(true);
	});
});
