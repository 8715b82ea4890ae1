/** The worker side of ./fleet.ts: answers the parent's commands with the given handlers. */
import type { Answer, Request } from './fleet';

export type Handlers = Record<string, (args: never) => unknown>;

/** Serves commands until the parent goes away; `ready` is answered by every worker. */
export function serveCommands(handlers: Handlers): void {
	const all: Handlers = { ready: () => true, ...handlers };
	process.on('message', (request: Request) => {
		const handler = all[request.command];
		const reply = (answer: Omit<Answer, 'id'>) => process.send?.({ id: request.id, ...answer });
		if (!handler) return reply({ error: `unknown command ${request.command}` });
		Promise.resolve()
			.then(() => handler(request.args as never))
			.then(
				(result) => reply({ result }),
				(error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) })
			);
	});
	process.on('disconnect', () => process.exit(0));
}
