/** How the Models screen writes sizes and hashes. */

/** 1.2 GB, 29.0 MB, 840 kB: decimal units, as file managers show them. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`;
  return `${bytes} B`;
}

/** The last part of a path, for source files recorded with their full path. */
export function baseName(path: string): string {
  return path.split(/[/\\]/).pop() ?? path;
}
