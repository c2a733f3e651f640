import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { SearchSpaceError, describeValue } from '../errors';
import { archStats } from '../stats/archStats';
import { archEnvelopeJsonSchema, blockJsonSchemas } from './archSchema';
import { canonicalizeArch } from './canonicalize';
import type { Arch } from './types';

const API = 'fbnas.parseArch';

let validators: { envelope: ValidateFunction; blocks: Record<string, ValidateFunction> } | null = null;

function getValidators() {
  if (validators === null) {
    const ajv = new Ajv({ allErrors: false, strict: true });
    validators = {
      envelope: ajv.compile(archEnvelopeJsonSchema),
      blocks: Object.fromEntries(Object.entries(blockJsonSchemas).map(([op, schema]) => [op, ajv.compile(schema)])),
    };
  }
  return validators;
}

/** `/blocks/3/kernel` -> `blocks[3].kernel` */
function toPath(prefix: string, pointer: string): string {
  const parts = pointer.split('/').filter(Boolean);
  let out = prefix;
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur: unknown = root;
  for (const p of pointer.split('/').filter(Boolean)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function schemaError(err: ErrorObject, root: unknown, prefix: string): SearchSpaceError {
  let path = toPath(prefix, err.instancePath);
  let message: string;
  if (err.keyword === 'additionalProperties') {
    const field = (err.params as { additionalProperty: string }).additionalProperty;
    path = path === '' ? field : `${path}.${field}`;
    message = `${path} is not a known field`;
  } else if (err.keyword === 'required') {
    const field = (err.params as { missingProperty: string }).missingProperty;
    path = path === '' ? field : `${path}.${field}`;
    message = `${path} is required`;
  } else if (err.keyword === 'enum') {
    const allowed = (err.params as { allowedValues: unknown[] }).allowedValues;
    message = `${path} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describeValue(valueAt(root, err.instancePath))}`;
  } else {
    message = `${path || 'the document'} ${err.message ?? 'is invalid'}, got ${describeValue(valueAt(root, err.instancePath))}`;
  }
  return new SearchSpaceError('INVALID_ARCH', API, message, path);
}

/** Step 0: text to a value, with the JSON error position. */
function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SearchSpaceError('PARSE_ERROR', API, `input is not valid JSON (${(err as Error).message})`);
  }
}

/** Steps 1-2: schema of the envelope, then of each block by its op. */
function validateDocument(doc: unknown): Record<string, unknown> {
  const { envelope, blocks } = getValidators();
  if (!envelope(doc)) throw schemaError((envelope.errors ?? [])[0], doc, '');
  const d = doc as { blocks: Array<{ op: string }> };
  d.blocks.forEach((block, i) => {
    const validate = blocks[block.op];
    if (!validate(block)) throw schemaError((validate.errors ?? [])[0], block, `blocks[${i}]`);
  });
  return doc as Record<string, unknown>;
}

/** Step 4: every block must fit its input (channels, groups, spatial size). */
function checkShapes(arch: Arch): Arch {
  try {
    archStats(arch);
  } catch (err) {
    if (err instanceof SearchSpaceError) throw new SearchSpaceError('INVALID_ARCH', API, err.message.replace(/^fbnas\.archStats: /, ''), err.path);
    throw err;
  }
  return arch;
}

/**
 * Validate an architecture (JSON text or a parsed value) and return it in canonical form: every
 * field present, stages assigned. Errors are {@link SearchSpaceError}s whose `path` names the bad field.
 * @example
 * import { parseArch } from '@fbnas/search-space';
 * const arch = parseArch({
 *   inputSize: 28, inputChannels: 1,
 *   blocks: [
 *     { op: 'conv', channels: 16, kernel: 3, stride: 2 },
 *     { op: 'ir', channels: 24, kernel: 5, expansion: 4, stride: 2 },
 *     { op: 'pool' }, { op: 'fc', channels: 10 },
 *   ],
 * });
 */
export function parseArch(input: unknown): Arch {
  const doc = typeof input === 'string' ? parseJsonText(input) : input;
  return checkShapes(canonicalizeArch(validateDocument(doc)));
}

/**
 * Canonical JSON text of an architecture (fixed key order), such that `parseArch(serializeArch(a))`
 * deep-equals `a`.
 */
export function serializeArch(arch: Arch, options: { indent?: number } = {}): string {
  const canonical = parseArch(arch);
  return JSON.stringify(canonical, null, options.indent ?? 2);
}
