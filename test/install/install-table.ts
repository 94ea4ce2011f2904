// The README's install figures (between `<!-- install-size:start -->` and `<!-- install-size:end -->`),
// rendered from what test/install/client-install.test.ts measured. Sizes are rounded (10 KiB below a
// MiB, 0.1 MiB above) so that a small edit of the client does not make the README stale.

const START = '<!-- install-size:start -->';
const END = '<!-- install-size:end -->';

/** One row: what was installed and what it brought. */
export interface InstallRow {
  readonly install: string;
  readonly how: string;
  readonly packages: number;
  readonly bytes: number;
  readonly nativeBinaries: number;
  readonly serverPackages: readonly string[];
}

/**
 * A byte count as a reader compares them.
 *
 * @example
 * ```ts
 * formatSize(142_534); // '140 KiB'
 * ```
 */
export function formatSize(bytes: number): string {
  const mib = bytes / 1024 / 1024;
  if (mib >= 1) return `${mib.toFixed(1)} MiB`;
  return `${Math.max(10, Math.round(bytes / 1024 / 10) * 10)} KiB`;
}

/**
 * The Markdown table of the rows.
 *
 * @example
 * ```ts
 * renderInstallTable([{ install: 'npm install x', how: 'offline', packages: 1, bytes: 1e5, nativeBinaries: 0, serverPackages: [] }]);
 * ```
 */
export function renderInstallTable(rows: readonly InstallRow[]): string {
  const lines = [
    '| install | production packages | on disk | native binaries | server packages | measured |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| \`${row.install}\` | ${row.packages} | ${formatSize(row.bytes)} | ${row.nativeBinaries} | ${
          row.serverPackages.length === 0 ? 'none' : row.serverPackages.join(', ')
        } | ${row.how} |`,
    ),
  ];
  return lines.join('\n');
}

/** The text between the markers, or undefined without them. */
export function installSection(readme: string): string | undefined {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) return undefined;
  return readme.slice(start + START.length, end).trim();
}

/** The README with the text between the markers replaced by `table`. */
export function withInstallSection(readme: string, table: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) throw new Error(`README.md lacks ${START} ... ${END}`);
  return `${readme.slice(0, start + START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}
