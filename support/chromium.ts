import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

/** Flags every Chromium here needs: no sandbox as root, no calls home on a closed network, WebGL in software. */
export const chromiumArgs = [
	'--no-sandbox',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--use-angle=swiftshader',
	'--enable-unsafe-swiftshader'
];

/**
 * The same browser without WebGL (the page takes its no-WebGL path: no three.js, no shaders).
 * For tests of what the avatar does not touch: on 2 cores, compiling and drawing the avatar in
 * software took half the CPU of the connection, chat and delivery tests.
 */
export const chromiumArgsWithoutWebGL = [
	...chromiumArgs.filter((arg) => !/swiftshader|angle/.test(arg)),
	'--disable-3d-apis'
];

/** System browsers we accept, most preferred first. CHROMIUM_PATH overrides them all. */
const systemCandidates = [
	'/usr/bin/chromium',
	'/usr/bin/chromium-browser',
	'/usr/bin/google-chrome',
	'/usr/bin/google-chrome-stable',
	'/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
	'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
	'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe'
];

/**
 * Finds a Chromium to drive: CHROMIUM_PATH, then a system Chromium or Chrome, then the browser
 * Playwright downloaded itself (`npx playwright install chromium`), where one is installed.
 * Returns undefined for Playwright's own, and throws with install instructions when there is none.
 */
export function findChromium(): string | undefined {
	const fromEnv = process.env.CHROMIUM_PATH;
	if (fromEnv) {
		if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist.`);
		return fromEnv;
	}
	const system = systemCandidates.find((path) => existsSync(path));
	if (system) return system;
	if (existsSync(chromium.executablePath())) return undefined;
	throw new Error(
		'No Chromium found for the browser tests. Install one of:\n' +
			'  Debian/Ubuntu: sudo apt-get install -y chromium\n' +
			'  any OS:        npx playwright install chromium\n' +
			'or point CHROMIUM_PATH at a Chromium or Chrome executable.'
	);
}
