// Node on Linux: does the Vulkan loader have any driver to load? On a machine without a GPU
// driver the answer is no, and a Dawn instance made there fails with two alarming lines on
// stderr ("Warning: vkCreateInstance: Found no drivers!", then VK_ERROR_INCOMPATIBLE_DRIVER):
// Dawn prints them itself, the first relayed from the loader through a debug messenger, so the
// loader's VK_LOADER_DEBUG does not silence them. Knowing beforehand that there is no driver
// lets adapter.ts go straight to SwiftShader instead of making that doomed instance. A driver
// that is installed but fails still makes Dawn warn: that is worth seeing.

/** The folders where the Vulkan loader (1.3, Linux) looks for driver manifests, in its order. */
export function vulkanDriverDirs(env: Record<string, string | undefined>): string[] {
  const home = env.HOME ?? '';
  const list = (value: string | undefined, fallback: string) => (value || fallback).split(':').filter(Boolean);
  const roots = [
    env.XDG_CONFIG_HOME || `${home}/.config`,
    ...list(env.XDG_CONFIG_DIRS, '/etc/xdg'),
    '/etc',
    env.XDG_DATA_HOME || `${home}/.local/share`,
    ...list(env.XDG_DATA_DIRS, '/usr/local/share:/usr/share'),
  ];
  return roots.map((root) => `${root}/vulkan/icd.d`);
}

/**
 * False only when it is certain the loader finds no driver: on Linux, with none of the
 * loader's driver variables set, and no manifest (*.json) in any folder it searches.
 */
export async function mayHaveVulkanDriver(
  env: Record<string, string | undefined>, platform: string, dirs = vulkanDriverDirs(env),
): Promise<boolean> {
  if (platform !== 'linux') return true;
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES || env.VK_ADD_DRIVER_FILES) return true;
  const fsName = 'node:fs'; // a variable, so bundlers leave this Node-only import alone
  const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs');
  return dirs.some((dir) => {
    try {
      return fs.readdirSync(dir).some((name) => name.endsWith('.json'));
    } catch {
      return false; // a missing or unreadable folder holds no driver the loader could use
    }
  });
}
