import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { NnError } from '../errors';
import type { NamedWeights } from '../model/buildModel';

const MAGIC = 'FBNASCK1';

/** A checkpoint: JSON metadata plus named float32 tensors in groups (weights, optimizer, ema, ...). */
export interface CheckpointData {
  meta: Record<string, unknown>;
  groups: Record<string, NamedWeights>;
}

/**
 * Write a checkpoint atomically: a temporary file in the same folder, fsync, then rename over `path`.
 * A crash at any point leaves either the old file or the new one, never a torn one.
 * Layout: "FBNASCK1", uint32 header length, JSON header (meta, tensor index, sha256 of the payload), payload.
 */
export function writeCheckpoint(path: string, data: CheckpointData): void {
  const index: Array<{ group: string; name: string; shape: number[]; offset: number; length: number }> = [];
  let offset = 0;
  for (const [group, tensors] of Object.entries(data.groups)) {
    for (const [name, t] of Object.entries(tensors)) {
      index.push({ group, name, shape: t.shape, offset, length: t.data.length });
      offset += t.data.length;
    }
  }
  const payload = new Float32Array(offset);
  for (const e of index) payload.set(data.groups[e.group][e.name].data, e.offset);
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const header = Buffer.from(JSON.stringify({ meta: data.meta, index, sha256: createHash('sha256').update(bytes).digest('hex') }), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length, 0);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    for (const part of [Buffer.from(MAGIC, 'ascii'), len, header, bytes]) writeSync(fd, part);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing left to clean
    }
    throw err;
  }
}

/** Read and verify a checkpoint; a truncated, corrupt or foreign file is an `NnError` (`CORRUPT_CHECKPOINT`). */
export function readCheckpoint(path: string): CheckpointData {
  const api = 'fbnas.readCheckpoint';
  const buf = readFileSync(path);
  const bad = (why: string) => new NnError('CORRUPT_CHECKPOINT', api, `${path}: ${why}`);
  if (buf.length < 12 || buf.toString('ascii', 0, 8) !== MAGIC) throw bad('not an fbnas checkpoint (bad magic)');
  const headerLength = buf.readUInt32LE(8);
  if (12 + headerLength > buf.length) throw bad('truncated header');
  let header: { meta: Record<string, unknown>; index: Array<{ group: string; name: string; shape: number[]; offset: number; length: number }>; sha256: string };
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + headerLength));
  } catch {
    throw bad('header is not valid JSON');
  }
  const body = buf.subarray(12 + headerLength);
  if (body.length % 4 !== 0) throw bad('truncated payload');
  if (createHash('sha256').update(body).digest('hex') !== header.sha256) throw bad('payload checksum mismatch');
  const payload = new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.length));
  const groups: Record<string, NamedWeights> = {};
  for (const e of header.index) {
    if (e.offset + e.length > payload.length || e.shape.reduce((a, b) => a * b, 1) !== e.length) throw bad(`tensor ${e.group}/${e.name} is out of range`);
    (groups[e.group] ??= {})[e.name] = { shape: e.shape, data: payload.slice(e.offset, e.offset + e.length) };
  }
  return { meta: header.meta, groups };
}
