import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../..');

describe('process start with a bad configuration', () => {
  it('should exit 1 printing one line per problem and start nothing', () => {
    const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, JWT_SECRET: 'short', PORT: '-1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      'Invalid configuration:',
      'PORT: must be a port number from 0 to 65535',
      'JWT_SECRET: must be at least 32 characters',
    ]);
    expect(result.stdout).toBe('');
  });
});
