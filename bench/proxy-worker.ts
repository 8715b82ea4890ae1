/**
 * Worker process (see ./fleet.ts) running one round-robin fault proxy (support/fault-proxy.ts)
 * in front of several server instances: the load balancer of the failover benchmark. A proxy holds
 * two sockets per client, so the benchmark runs one per client worker to stay far below the 20,000
 * open files a process may have here. Commands: listen, counts, close.
 */
import { startFaultProxy, type FaultProxy, type ProxyTarget } from '../support/fault-proxy';
import { serveCommands } from './worker-rpc';

let proxy: FaultProxy | undefined;
let targetCount = 0;

serveCommands({
	/** Starts the proxy over `targets`; resolves with its port. */
	async listen(args: { targets: ProxyTarget[] }) {
		proxy = await startFaultProxy({ targets: args.targets });
		targetCount = args.targets.length;
		return proxy.port;
	},
	/** Open client connections per target. */
	counts: () => Array.from({ length: targetCount }, (_, i) => proxy?.connectionsTo(i) ?? 0),
	async close() {
		await proxy?.close();
		return true;
	}
});
