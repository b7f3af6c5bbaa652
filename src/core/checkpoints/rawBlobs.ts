import { copyFile, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite } from '../fs/atomicWrite.js';
import { gitBytes, rawIds, regularFiles } from './gitBatch.js';
import type { GitStore } from './gitStore.js';

/**
 * Files git converts (eol, filters, ident, encoding, or every file of an index seeded under core.autocrlf) are
 * kept in the private index as git sees them, so their stat data stays valid and an unchanged file is not hashed
 * again; their bytes as they are get their own blob, recorded here (path -> [blob in the index, blob of the bytes]).
 * A snapshot's tree has the bytes' blob: an entry counts while the index still holds the blob it was made for.
 */
type RawMap = Map<string, [index: string, raw: string]>;

const mapFile = (store: GitStore) => join(store.gitDir, 'spec-agent', 'raw-blobs');

async function load(store: GitStore): Promise<RawMap> {
  const text = await readFile(mapFile(store), 'utf8').catch(() => '');
  const map: RawMap = new Map();
  for (const line of text.split('\0')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+)\t([\s\S]+)$/.exec(line);
    if (m) map.set(m[3]!, [m[1]!, m[2]!]);
  }
  return map;
}

async function save(store: GitStore, map: RawMap): Promise<void> {
  if (map.size === 0) await rm(mapFile(store), { force: true });
  else await atomicWrite(mapFile(store), [...map].map(([p, [i, r]]) => `${i} ${r}\t${p}\0`).join(''));
}

/** The private index's entries: path -> mode and blob (stage 0). */
async function indexEntries(store: GitStore): Promise<Map<string, { mode: string; blob: string }>> {
  const out = new Map<string, { mode: string; blob: string }>();
  for (const e of (await gitBytes(store, ['ls-files', '-s', '-z'])).toString('utf8').split('\0')) {
    const m = /^(\d{6}) ([0-9a-f]+) 0\t([\s\S]+)$/.exec(e);
    if (m) out.set(m[3]!, { mode: m[1]!, blob: m[2]! });
  }
  return out;
}

/**
 * Records the bytes' blobs of `converted` paths (just updated in the private index, or seeded from the user's)
 * and drops entries that no longer count. Returns them, with the index's entries when they were read.
 */
export async function recordRawBlobs(store: GitStore, converted: Iterable<string>): Promise<{ map: RawMap; entries?: Map<string, { mode: string; blob: string }> }> {
  const files = await regularFiles(store, converted);
  const map = await load(store);
  if (files.length === 0 && map.size === 0) return { map };
  const [raw, entries] = await Promise.all([rawIds(store, files), indexEntries(store)]);
  let changed = false;
  for (const [path, id] of raw) {
    const blob = entries.get(path)?.blob;
    if (blob && blob !== id) map.set(path, [blob, id]);
    else map.delete(path);
    changed = true;
  }
  // Entries whose path left the index, or whose blob there changed (hashed again as it is), no longer count.
  for (const [path, [blob]] of map) {
    if (entries.get(path)?.blob !== blob) {
      map.delete(path);
      changed = true;
    }
  }
  if (changed) await save(store, map);
  return { map, entries };
}

/**
 * The snapshot's tree: the index's own when no entry differs from its file's bytes, else written through a
 * temporary copy of the index with the bytes' blobs put in.
 */
export async function writeRawTree(store: GitStore, converted: Iterable<string>): Promise<string> {
  const { map, entries } = await recordRawBlobs(store, converted);
  if (map.size === 0 || !entries) return (await gitBytes(store, ['write-tree'])).toString('utf8').trim();
  const tmp = join(store.gitDir, 'spec-agent', `index.tree-${process.pid}`);
  await copyFile(store.indexFile, tmp);
  const withTmp: GitStore = { ...store, env: { ...store.env, GIT_INDEX_FILE: tmp } };
  try {
    await gitBytes(withTmp, ['update-index', '-z', '--index-info'], [...map].map(([path, [, id]]) => `${entries.get(path)!.mode} ${id}\t${path}\0`).join(''));
    return (await gitBytes(withTmp, ['write-tree'])).toString('utf8').trim();
  } finally {
    await rm(tmp, { force: true });
  }
}
