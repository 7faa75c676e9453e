import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../../../core/logger';
import { ENTITIES } from '../..';
import { type SimulationInput, runSimulation } from './simulation-run';

// A worker thread running one dry run (simulation.service.ts starts it): the in-memory database,
// the sandbox and the engine live and die here, off the API's event loop and inside the thread's
// heap limit. It answers { result } or { error } once, then ends.
runSimulation(workerData as SimulationInput, createLogger('silent'), ENTITIES).then(
  (result) => parentPort!.postMessage({ result }),
  (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
);
