/** Test pictures, one definition each. */

/** A 1×1 PNG, base64 (no `data:` prefix): the smallest still a `frame` can carry. */
export const ONE_PIXEL_PNG =
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC';
