import * as fs from 'node:fs/promises';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileStorage } from '../../src/client/file-storage.js';
import { createAuthClient } from '../../src/client/auth-client.js';
import { createFakeServer, createWorld } from './fake-auth-server.js';
import { BASE } from './client-harness.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('file storage', () => {
  it('stores the refresh token for its owner only, replaces it atomically and removes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-fs-'));
    dirs.push(dir);
    const path = join(dir, 'refresh-token');
    const storage = createFileStorage({ path, fs });
    expect(await storage.get()).toBeNull();
    await storage.set('tsr_a.b');
    await storage.set('tsr_c.d');
    expect(await storage.get()).toBe('tsr_c.d');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect((await fs.readdir(dir)).sort()).toEqual(['refresh-token']);
    await storage.remove();
    expect(await storage.get()).toBeNull();
  });

  it('lets a restarted process resume its session (body transport)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-fs-'));
    dirs.push(dir);
    const world = createWorld();
    const server = createFakeServer(world);
    const options = {
      baseUrl: BASE,
      transport: 'body' as const,
      fetch: server.handle,
      clocks: world.clocks,
      setTimer: world.setTimer,
      tabs: null,
      lifecycle: null,
    };
    await createAuthClient({
      ...options,
      storage: createFileStorage({ path: join(dir, 'rt'), fs }),
    }).login('ada@example.com', 'correct horse');
    const next = createAuthClient({
      ...options,
      storage: createFileStorage({ path: join(dir, 'rt'), fs }),
    });
    expect((await next.fetch(`${BASE}/api/hello`)).status).toBe(200);
  });
});
