import { parse as parseYaml } from 'yaml';
import { PipelineError } from './errors';

/**
 * A small schema language for run configurations: enough to validate every field of the pipelines' configs,
 * name the offending path in errors, and emit a JSON Schema document for editors (`toJsonSchema`).
 */
export type ConfigSchema =
  | { type: 'integer'; min?: number; max?: number; description?: string }
  | { type: 'number'; min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean; description?: string }
  | { type: 'boolean'; description?: string }
  | { type: 'string'; description?: string }
  | { type: 'enum'; values: readonly (string | number | boolean)[]; description?: string }
  | { type: 'array'; items: ConfigSchema; minItems?: number; maxItems?: number; description?: string }
  | { type: 'object'; properties: Record<string, ConfigSchema>; required?: readonly string[]; description?: string }
  /** One of several object shapes told apart by the value of `tag` (e.g. `kind`). */
  | { type: 'tagged'; tag: string; variants: Record<string, Extract<ConfigSchema, { type: 'object' }>>; description?: string }
  | { type: 'anyOf'; options: readonly ConfigSchema[]; description?: string };

const show = (v: unknown) => (v === undefined ? 'nothing' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : (JSON.stringify(v) ?? String(v)));

function check(schema: ConfigSchema, value: unknown, path: string, errors: string[]): void {
  const at = path || '(the document)';
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const ok = typeof value === 'number' && Number.isFinite(value) && (schema.type === 'number' || Number.isInteger(value));
      const bounds = [schema.min !== undefined ? `${'exclusiveMin' in schema && schema.exclusiveMin ? '>' : '>='} ${schema.min}` : '', schema.max !== undefined ? `${'exclusiveMax' in schema && schema.exclusiveMax ? '<' : '<='} ${schema.max}` : ''].filter(Boolean).join(' and ');
      const inRange =
        ok &&
        (schema.min === undefined || ('exclusiveMin' in schema && schema.exclusiveMin ? (value as number) > schema.min : (value as number) >= schema.min)) &&
        (schema.max === undefined || ('exclusiveMax' in schema && schema.exclusiveMax ? (value as number) < schema.max : (value as number) <= schema.max));
      if (!inRange) errors.push(`${at} must be ${schema.type === 'integer' ? 'an integer' : 'a finite number'}${bounds ? ` ${bounds}` : ''}, got ${show(value)}`);
      return;
    }
    case 'boolean':
    case 'string':
      if (typeof value !== schema.type) errors.push(`${at} must be a ${schema.type}, got ${show(value)}`);
      return;
    case 'enum':
      if (!schema.values.includes(value as string)) errors.push(`${at} must be one of ${schema.values.map((v) => JSON.stringify(v)).join(', ')}, got ${show(value)}`);
      return;
    case 'array':
      if (!Array.isArray(value)) {
        errors.push(`${at} must be an array, got ${show(value)}`);
        return;
      }
      if (value.length < (schema.minItems ?? 0)) errors.push(`${at} must hold at least ${schema.minItems} item(s), got ${value.length}`);
      if (value.length > (schema.maxItems ?? Infinity)) errors.push(`${at} must hold at most ${schema.maxItems} item(s), got ${value.length}`);
      value.forEach((item, i) => check(schema.items, item, `${path}[${i}]`, errors));
      return;
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        errors.push(`${at} must be an object, got ${show(value)}`);
        return;
      }
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const sub = schema.properties[key];
        const childPath = path ? `${path}.${key}` : key;
        if (!sub) errors.push(`${childPath} is not a known option (known here: ${Object.keys(schema.properties).join(', ')})`);
        else if (record[key] !== undefined) check(sub, record[key], childPath, errors);
      }
      for (const key of schema.required ?? []) if (record[key] === undefined) errors.push(`${path ? `${path}.${key}` : key} is required`);
      return;
    }
    case 'tagged': {
      const tag = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[schema.tag] : undefined;
      const variant = typeof tag === 'string' ? schema.variants[tag] : undefined;
      if (!variant) {
        errors.push(`${path ? `${path}.` : ''}${schema.tag} must be one of ${Object.keys(schema.variants).map((v) => JSON.stringify(v)).join(', ')}, got ${show(tag)}`);
        return;
      }
      check(variant, value, path, errors);
      return;
    }
    case 'anyOf': {
      const attempts = schema.options.map((option) => {
        const sub: string[] = [];
        check(option, value, path, sub);
        return sub;
      });
      if (attempts.some((a) => a.length === 0)) return;
      errors.push(attempts.map((a) => a[0]).join('; or '));
      return;
    }
  }
}

/** Every violation of `schema` by `value`, each naming its path (`search.epochs must be ...`); empty when valid. */
export function configErrors(schema: ConfigSchema, value: unknown): string[] {
  const errors: string[] = [];
  check(schema, value, '', errors);
  return errors;
}

/**
 * Validate a configuration value; a `PipelineError` (`INVALID_CONFIG`) of `api` lists every violation with
 * its path. Returns the value unchanged, typed.
 */
export function validateConfig<T>(schema: ConfigSchema, value: unknown, api: string, source = 'the configuration'): T {
  const errors = configErrors(schema, value);
  if (errors.length > 0) {
    throw new PipelineError('INVALID_CONFIG', api, `${source} is invalid: ${errors.slice(0, 8).join('; ')}${errors.length > 8 ? `; and ${errors.length - 8} more` : ''}`);
  }
  return value as T;
}

/**
 * Parse a configuration file's text: JSON for `.json`, YAML otherwise (`.yaml`, `.yml`; JSON is YAML too).
 * Syntax errors become `PipelineError`s naming the file and the line.
 */
export function parseConfigText(text: string, fileName: string, api: string): unknown {
  if (fileName.toLowerCase().endsWith('.json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new PipelineError('INVALID_CONFIG', api, `${fileName} is not valid JSON: ${(err as Error).message}`);
    }
  }
  try {
    return parseYaml(text, { prettyErrors: true, uniqueKeys: true }) as unknown;
  } catch (err) {
    throw new PipelineError('INVALID_CONFIG', api, `${fileName} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** The JSON Schema (draft 2020-12) of a config schema, for editors and documentation. */
export function toJsonSchema(schema: ConfigSchema, title?: string): Record<string, unknown> {
  const convert = (s: ConfigSchema): Record<string, unknown> => {
    const doc: Record<string, unknown> = s.description ? { description: s.description } : {};
    switch (s.type) {
      case 'integer':
      case 'number':
        return {
          ...doc,
          type: s.type,
          ...(s.min !== undefined ? ('exclusiveMin' in s && s.exclusiveMin ? { exclusiveMinimum: s.min } : { minimum: s.min }) : {}),
          ...(s.max !== undefined ? ('exclusiveMax' in s && s.exclusiveMax ? { exclusiveMaximum: s.max } : { maximum: s.max }) : {}),
        };
      case 'boolean':
      case 'string':
        return { ...doc, type: s.type };
      case 'enum':
        return { ...doc, enum: [...s.values] };
      case 'array':
        return { ...doc, type: 'array', items: convert(s.items), ...(s.minItems !== undefined ? { minItems: s.minItems } : {}), ...(s.maxItems !== undefined ? { maxItems: s.maxItems } : {}) };
      case 'object':
        return {
          ...doc,
          type: 'object',
          additionalProperties: false,
          properties: Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, convert(v)])),
          ...(s.required ? { required: [...s.required] } : {}),
        };
      case 'tagged':
        return {
          ...doc,
          oneOf: Object.entries(s.variants).map(([tag, v]) => {
            const variant = convert(v);
            return { ...variant, properties: { ...(variant.properties as object), [s.tag]: { const: tag } }, required: [...new Set([s.tag, ...((variant.required as string[]) ?? [])])] };
          }),
        };
      case 'anyOf':
        return { ...doc, anyOf: s.options.map(convert) };
    }
  };
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...(title ? { title } : {}), ...convert(schema) };
}
