// Without a Vulkan driver, ready() goes straight to SwiftShader and Dawn prints nothing
// (src/device/vulkan-drivers.ts): the loader's search folders, the check on fake folders, and
// the stderr of a real ready() in a process of its own.

import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mayHaveVulkanDriver, vulkanDriverDirs } from '../src/device/vulkan-drivers.ts';
import { ROOT } from './browser/harness.ts';

describe('vulkanDriverDirs', () => {
  it("lists the Vulkan loader's own search order (as VK_LOADER_DEBUG=driver prints it)", () => {
    expect(vulkanDriverDirs({ HOME: '/root' })).toEqual([
      '/root/.config/vulkan/icd.d', '/etc/xdg/vulkan/icd.d', '/etc/vulkan/icd.d',
      '/root/.local/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d',
    ]);
  });

  it('follows the XDG variables', () => {
    const env = { HOME: '/h', XDG_CONFIG_HOME: '/c', XDG_CONFIG_DIRS: '/c1:/c2', XDG_DATA_HOME: '/d', XDG_DATA_DIRS: '/d1:/d2' };
    expect(vulkanDriverDirs(env)).toEqual(['/c', '/c1', '/c2', '/etc', '/d', '/d1', '/d2'].map((d) => `${d}/vulkan/icd.d`));
  });
});

describe('mayHaveVulkanDriver', () => {
  const withDirs = async (files: Record<string, string[]>, test: (dirs: string[]) => Promise<void>) => {
    const root = mkdtempSync(join(tmpdir(), 'gpugrad-icd-'));
    try {
      const dirs = Object.entries(files).map(([name, contents]) => {
        const dir = join(root, name);
        mkdirSync(dir);
        for (const file of contents) writeFileSync(join(dir, file), '{}');
        return dir;
      });
      await test([...dirs, join(root, 'missing')]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };

  it('is false on Linux only when no searched folder holds a manifest', async () => {
    await withDirs({ empty: [], other: ['README.txt'] }, async (dirs) => {
      expect(await mayHaveVulkanDriver({}, 'linux', dirs)).toBe(false);
      expect(await mayHaveVulkanDriver({}, 'darwin', dirs)).toBe(true);
      for (const name of ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'VK_ADD_DRIVER_FILES']) {
        expect(await mayHaveVulkanDriver({ [name]: '/x.json' }, 'linux', dirs), name).toBe(true);
      }
    });
    await withDirs({ empty: [], gpu: ['nvidia_icd.json'] }, async (dirs) => {
      expect(await mayHaveVulkanDriver({}, 'linux', dirs)).toBe(true);
    });
  });
});

describe('ready() in Node', () => {
  it('prints no Vulkan loader or Dawn warning when it falls back to SwiftShader for want of a driver', async () => {
    const env = { ...process.env };
    delete env.VK_ICD_FILENAMES;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['scripts/run-ts.mjs', 'test/adapter/ready.ts'], { cwd: ROOT, env });
    const adapter = JSON.parse(stdout.trim().split('\n').at(-1)!);
    console.log(`ready() in a fresh process: ${adapter.description}; stderr ${JSON.stringify(stderr)}`);
    if (!(await mayHaveVulkanDriver(env, process.platform))) expect(adapter.architecture).toBe('swiftshader');
    expect(stderr).not.toMatch(/vkCreateInstance|Found no drivers/);
  });
});
