/**
 * Runs `work` over the items, one lane per key: a lane's items one after another in their order,
 * up to `concurrency` lanes at a time. Lanes keep what must stay ordered (one account's actions)
 * ordered while independent ones overlap.
 */
export async function inLanes<T>(items: T[], keyOf: (item: T) => string, concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> {
  const lanes = new Map<string, T[]>();
  for (const item of items) {
    const lane = lanes.get(keyOf(item));
    if (lane) lane.push(item);
    else lanes.set(keyOf(item), [item]);
  }
  const queue = [...lanes.values()];
  const worker = async () => {
    for (let lane = queue.shift(); lane; lane = queue.shift()) {
      for (const item of lane) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
}
