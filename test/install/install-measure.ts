// What an install puts on disk, read from the disk: the packages in a node_modules tree, the bytes of
// their files, and which files are native code (found by their magic bytes, not their names). And the
// same figures for the full package from package-lock.json, for where an install of it cannot run
// offline (npm's cache here holds tarballs but no registry metadata).
import {
  closeSync,
  existsSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
} from 'node:fs';
import { join, posix } from 'node:path';

/** One installed package: its name, version and directory. */
export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
}

/** The figures of one install. */
export interface InstallFigures {
  readonly packages: readonly InstalledPackage[];
  /** Bytes of every file (apparent size, symlinks as links), summed. */
  readonly bytes: number;
  /** Files holding native code (ELF, Mach-O or PE), relative to the tree they were found in. */
  readonly nativeBinaries: readonly string[];
}

// ELF; Mach-O 32/64 bit in both byte orders and fat binaries; PE ("MZ").
const NATIVE_MAGIC = [
  [0x7f, 0x45, 0x4c, 0x46],
  [0xfe, 0xed, 0xfa, 0xce],
  [0xfe, 0xed, 0xfa, 0xcf],
  [0xce, 0xfa, 0xed, 0xfe],
  [0xcf, 0xfa, 0xed, 0xfe],
  [0xca, 0xfe, 0xba, 0xbe],
  [0x4d, 0x5a],
];

function isNative(path: string): boolean {
  const head = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  return NATIVE_MAGIC.some(
    (magic) => read >= magic.length && magic.every((byte, i) => head[i] === byte),
  );
}

/**
 * Bytes and native files under `dir`, paths relative to `base`; `ownOnly` leaves out nested
 * node_modules (measured as packages of their own).
 */
function walkFiles(
  dir: string,
  base: string,
  options: { readonly ownOnly?: boolean } = {},
): { bytes: number; nativeBinaries: string[] } {
  let bytes = 0;
  const nativeBinaries: string[] = [];
  const visit = (path: string, shown: string): void => {
    const stat = lstatSync(path);
    bytes += stat.size;
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path))
        if (!(options.ownOnly === true && entry === 'node_modules'))
          visit(join(path, entry), posix.join(shown, entry));
    }
    // A .js file starting "MZ" would be odd but is still text: only files of some size and no text
    // extension count, so a README that begins with those letters is never "native".
    else if (stat.isFile() && stat.size > 1024 && !/\.(js|cjs|mjs|ts|md|json|map|txt)$/.test(path))
      if (isNative(path)) nativeBinaries.push(shown);
  };
  visit(dir, base);
  return { bytes, nativeBinaries };
}

/** The packages of a node_modules tree, nested ones included. */
function packagesIn(nodeModules: string): InstalledPackage[] {
  if (!existsSync(nodeModules)) return [];
  const found: InstalledPackage[] = [];
  const entries = readdirSync(nodeModules).filter((entry) => !entry.startsWith('.'));
  const dirs = entries.flatMap((entry) =>
    entry.startsWith('@')
      ? readdirSync(join(nodeModules, entry)).map((scoped) => join(nodeModules, entry, scoped))
      : [join(nodeModules, entry)],
  );
  for (const dir of dirs) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as {
      name: string;
      version: string;
    };
    found.push({ name, version, dir }, ...packagesIn(join(dir, 'node_modules')));
  }
  return found;
}

/**
 * The figures of an app's installed node_modules.
 *
 * @example
 * ```ts
 * const { packages, bytes } = measureInstalledTree('/tmp/app/node_modules');
 * ```
 */
export function measureInstalledTree(nodeModules: string): InstallFigures {
  const { bytes, nativeBinaries } = walkFiles(nodeModules, 'node_modules');
  return { packages: packagesIn(nodeModules), bytes, nativeBinaries };
}

interface LockEntry {
  readonly name?: string;
  readonly version?: string;
  readonly dev?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

/**
 * The production closure of the root package in a package-lock.json (v3), resolved as Node resolves
 * (nested node_modules first, then each parent's), keeping the optional packages installed on this
 * platform (argon2's binary for this CPU and libc) and measured in the installed tree `root`.
 * Peers are not followed: every peer of tessera-auth is optional, so npm installs none of them.
 *
 * @example
 * ```ts
 * const figures = measureFromLockfile(process.cwd());
 * ```
 */
export function measureFromLockfile(root: string): InstallFigures {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const resolveIn = (from: string, name: string): string | undefined => {
    for (let at = from; ; at = at.slice(0, Math.max(0, at.lastIndexOf('/node_modules/')))) {
      const path = `${at === '' ? '' : `${at}/`}node_modules/${name}`;
      if (lock.packages[path] !== undefined) return path;
      if (at === '') return undefined;
    }
  };
  const seen = new Set<string>();
  const queue = [''];
  while (queue.length > 0) {
    const at = queue.pop() as string;
    const entry = lock.packages[at] as LockEntry;
    const wanted = { ...entry.dependencies, ...entry.optionalDependencies };
    for (const name of Object.keys(wanted)) {
      const path = resolveIn(at, name);
      if (path === undefined || seen.has(path) || !existsSync(join(root, path))) continue;
      seen.add(path);
      queue.push(path);
    }
  }
  let bytes = 0;
  const nativeBinaries: string[] = [];
  const packages = [...seen].sort().map((path) => {
    const files = walkFiles(join(root, path), path, { ownOnly: true });
    bytes += files.bytes;
    nativeBinaries.push(...files.nativeBinaries);
    const manifest = JSON.parse(readFileSync(join(root, path, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    return { name: manifest.name, version: manifest.version, dir: join(root, path) };
  });
  return { packages, bytes, nativeBinaries };
}
