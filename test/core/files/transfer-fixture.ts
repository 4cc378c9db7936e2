// Helpers for file transfer tests: files with known content, and waits on transfer events.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import type { NodeEvent } from '../../../src/core/events.js';
import type { FileAccess } from '../../../src/core/files/file-access.js';
import { onlineIds, type TestNode, waitFor } from '../node-fixture.js';

export function writeRandomFile(path: string, size: number): Buffer {
  const data = randomBytes(size);
  writeFileSync(path, data);
  return data;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function fileEvent<K extends NodeEvent['type']>(
  t: TestNode,
  type: K,
  id: string,
  timeoutMs = 20_000,
): Promise<Extract<NodeEvent, { type: K }>> {
  return waitFor(
    `${t.name}: ${type} for ${id}`,
    () =>
      t.events.find(
        (e): e is Extract<NodeEvent, { type: K }> => e.type === type && (e as { id?: string }).id === id,
      ),
    timeoutMs,
  );
}

export function failedOrDone(t: TestNode, id: string): NodeEvent | undefined {
  return t.events.find(
    (e) => (e.type === 'file_done' || e.type === 'file_failed') && (e as { id: string }).id === id,
  );
}

export interface FileSpy {
  /** Offsets the sender was asked to read from, in order. */
  sourceOffsets: number[];
  /** Bytes the sender read from disk in total (what went on the wire). */
  bytesRead: number;
}

/** Wraps FileAccess: counts what the sender reads; lets a test act on written bytes or change them. */
export function spyFiles(
  base: FileAccess,
  hooks: {
    onWritten?: (total: number) => void;
    mapChunk?: (chunk: Uint8Array, offset: number) => Uint8Array;
    freeBytes?: number;
  } = {},
): { files: FileAccess; spy: FileSpy } {
  const spy: FileSpy = { sourceOffsets: [], bytesRead: 0 };
  const files: FileAccess = {
    ...base,
    async openSource(path, offset) {
      spy.sourceOffsets.push(offset);
      const source = await base.openSource(path, offset);
      let at = offset;
      return {
        async read() {
          const chunk = await source.read();
          if (chunk) {
            spy.bytesRead += chunk.length;
            const mapped = hooks.mapChunk ? hooks.mapChunk(chunk, at) : chunk;
            at += chunk.length;
            return mapped;
          }
          return chunk;
        },
        close: () => source.close(),
      };
    },
    async openPartial(dir, name, offset) {
      const partial = await base.openPartial(dir, name, offset);
      if (!hooks.onWritten) return partial;
      const onWritten = hooks.onWritten;
      let total = partial.written;
      return Object.assign(Object.create(partial) as typeof partial, {
        write(chunk: Uint8Array) {
          total += chunk.length;
          onWritten(total);
          return partial.write(chunk);
        },
      });
    },
    ...(hooks.freeBytes === undefined ? {} : { freeBytes: async () => hooks.freeBytes ?? 0 }),
  };
  return { files, spy };
}

/** Resolves once alice and bob each have the other online. */
export async function linked(alice: TestNode, bob: TestNode): Promise<void> {
  await waitFor('linked', () => onlineIds(alice).length === 1 && onlineIds(bob).length === 1);
}
