import { expect, test } from '@playwright/test';

test('the app page loads and shows its title', async ({ page }) => {
	await page.goto('/');
	await expect(page).toHaveTitle('Talkline');
	await expect(page.getByRole('heading', { name: 'Talkline' })).toBeVisible();
});
