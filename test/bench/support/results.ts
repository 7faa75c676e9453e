import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';

const RESULTS = join(__dirname, '..', 'RESULTS.md');

/** Replaces this benchmark's section of test/bench/RESULTS.md (between its markers) and prints it. */
export function recordResults(name: string, markdown: string): void {
  const stamp = `_Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}._`;
  const section = `<!-- bench:${name} -->\n${markdown.trim()}\n\n${stamp}\n<!-- /bench:${name} -->`;
  const current = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Benchmark results\n\nWritten by `npm run bench`; each section by its script.\n';
  const pattern = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  writeFileSync(RESULTS, pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`);
  process.stdout.write(`${markdown.trim()}\n`);
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
