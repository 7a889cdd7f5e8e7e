/**
 * Crash-safe file replacement for the keystore: write a temp file in the same directory
 * (mode 0600, created exclusively), fsync it, rename it over the target (atomic on POSIX),
 * then fsync the directory so the rename itself is durable. A crash at any point leaves
 * either the old file or the new one, never a torn one; at worst a stray temp file, which
 * readers ignore (temp names start with "." and end with ".tmp") and `removeStrayTempFiles`
 * deletes at the next open.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, unlink, chmod } from 'node:fs/promises';
import { join } from 'node:path';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;
const TEMP_SUFFIX = '.tmp';

/** True for names this module uses for temp files (never a valid record file name). */
export function isTempFileName(fileName: string): boolean {
  return fileName.startsWith('.') && fileName.endsWith(TEMP_SUFFIX);
}

/** Atomically replaces `dir/fileName` with `data` (see the file comment). */
export async function writeFileAtomic(
  dir: string,
  fileName: string,
  data: Uint8Array,
): Promise<void> {
  const tempPath = join(dir, `.${fileName}.${randomBytes(8).toString('hex')}${TEMP_SUFFIX}`);
  const handle = await open(tempPath, 'wx', FILE_MODE);
  let renamed = false;
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, join(dir, fileName));
    renamed = true;
    await fsyncDirectory(dir);
  } finally {
    if (!renamed) await unlink(tempPath).catch(() => undefined);
  }
}

/** fsync a directory so that renames and unlinks in it survive a crash. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Creates `dir` (and parents) if needed and forces its mode to 0700. */
export async function ensurePrivateDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  await chmod(dir, DIR_MODE);
}

/** Deletes temp files left by a crashed writer; returns how many. Call under the lock. */
export async function removeStrayTempFiles(dir: string): Promise<number> {
  let removed = 0;
  for (const entry of await readdir(dir)) {
    if (!isTempFileName(entry)) continue;
    await unlink(join(dir, entry)).catch(() => undefined);
    removed += 1;
  }
  if (removed > 0) await fsyncDirectory(dir);
  return removed;
}
