/** Whether a process with this pid is alive (signal 0 checks without sending anything). */
export function isRunning(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}
