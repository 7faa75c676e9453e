import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { runDryRun } from './dry-run';
import type { SimulationInput } from './dry-run.types';

// A worker thread running one dry run (simulation.service.ts starts it): the run lives and dies
// here, off the API's event loop and inside the thread's heap limit. It answers { result } or
// { error } once, then ends.
try {
  parentPort!.postMessage({ result: runDryRun(workerData as SimulationInput) });
} catch (error) {
  parentPort!.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
