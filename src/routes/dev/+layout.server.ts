/**
 * The developer pages (/dev/avatar, /dev/inspector) are served by `npm run dev`, and in a
 * production build only with DEV_PAGES=1; anywhere else they do not exist (404).
 */
import { error } from '@sveltejs/kit';
import { dev } from '$app/environment';
import { env } from '$env/dynamic/private';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = () => {
	const enabled = ['1', 'true', 'yes', 'on'].includes((env.DEV_PAGES ?? '').trim().toLowerCase());
	if (!dev && !enabled) error(404, 'Not found');
};
