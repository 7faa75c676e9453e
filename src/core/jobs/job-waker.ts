import type { Agenda } from 'agenda';
import type { Logger } from '../logger';

/**
 * Queues `name` to run now, at most once per `everyMs`: a burst of causes (replies, webhook events
 * left to a drain) shares one run instead of writing a job row each. A call inside the window
 * queues one more run at its end, so nothing that happened after a run started waits for the
 * job's regular interval.
 */
export function jobWaker(agenda: Agenda, name: string, log: Logger, everyMs = 1_000): () => void {
  let lastRun = 0;
  let trailing: NodeJS.Timeout | undefined;
  const run = () => {
    lastRun = Date.now();
    agenda.now(name).catch((error: unknown) => log.warn({ err: error, job: name }, 'could not queue the job; its schedule will run it'));
  };
  return () => {
    const wait = lastRun + everyMs - Date.now();
    if (wait <= 0) return run();
    trailing ??= setTimeout(() => {
      trailing = undefined;
      run();
    }, wait).unref();
  };
}
