import { ACTIVATIONS, ARCH_FORMAT, BLOCK_OPS, SE_GATES } from '../contract';

const posInt = { type: 'integer', minimum: 1 } as const;
const activation = { type: 'string', enum: [...ACTIVATIONS] } as const;
const stage = { type: 'integer', minimum: 0 } as const;

/** JSON Schema of one block, per `op` (draft-07). Fields left out take the documented defaults. */
export const blockJsonSchemas = {
  conv: {
    type: 'object',
    additionalProperties: false,
    required: ['op', 'channels', 'kernel'],
    properties: {
      op: { const: 'conv' },
      stage,
      channels: posInt,
      kernel: posInt,
      stride: posInt,
      groups: posInt,
      padding: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }] },
      activation,
      bn: { type: 'boolean' },
      bias: { type: 'boolean' },
    },
  },
  ir: {
    type: 'object',
    additionalProperties: false,
    required: ['op', 'channels', 'kernel', 'expansion'],
    properties: {
      op: { const: 'ir' },
      stage,
      channels: posInt,
      kernel: posInt,
      stride: posInt,
      expansion: { type: 'number', exclusiveMinimum: 0, maximum: 64 },
      groups: posInt,
      shuffle: { type: 'boolean' },
      se: {
        anyOf: [
          { type: 'null' },
          {
            type: 'object',
            additionalProperties: false,
            required: ['gate'],
            properties: {
              gate: { type: 'string', enum: [...SE_GATES] },
              ratio: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
              divideByExpansion: { type: 'boolean' },
            },
          },
        ],
      },
      activation,
      bias: { type: 'boolean' },
      dwPadding: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }] },
      alwaysPw: { type: 'boolean' },
    },
  },
  skip: {
    type: 'object',
    additionalProperties: false,
    required: ['op', 'channels'],
    properties: { op: { const: 'skip' }, stage, channels: posInt, stride: posInt, activation },
  },
  ir_pool: {
    type: 'object',
    additionalProperties: false,
    required: ['op', 'channels'],
    properties: {
      op: { const: 'ir_pool' },
      stage,
      channels: posInt,
      expansion: { type: 'number', exclusiveMinimum: 0, maximum: 64 },
      activation,
      bias: { type: 'boolean' },
    },
  },
  pool: {
    type: 'object',
    additionalProperties: false,
    required: ['op'],
    properties: { op: { const: 'pool' }, stage, kind: { const: 'avg' } },
  },
  fc: {
    type: 'object',
    additionalProperties: false,
    required: ['op', 'channels'],
    properties: {
      op: { const: 'fc' },
      stage,
      channels: posInt,
      bias: { type: 'boolean' },
      dropout: { type: 'number', minimum: 0, maximum: 1 },
    },
  },
} as const;

/** JSON Schema of the architecture document without its blocks' bodies (checked per op). */
export const archEnvelopeJsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['blocks', 'inputSize'],
  properties: {
    $schema: { type: 'string' },
    format: { const: ARCH_FORMAT },
    name: { anyOf: [{ type: 'string', maxLength: 200 }, { type: 'null' }] },
    inputSize: { type: 'integer', minimum: 1, maximum: 8192 },
    inputChannels: posInt,
    rules: {
      type: 'object',
      additionalProperties: false,
      properties: {
        widthDivisor: posInt,
        unitExpansionPw: { type: 'string', enum: ['omit', 'keep'] },
      },
    },
    blocks: {
      type: 'array',
      minItems: 1,
      maxItems: 4096,
      items: {
        type: 'object',
        required: ['op'],
        properties: { op: { type: 'string', enum: [...BLOCK_OPS] } },
      },
    },
  },
} as const;

/**
 * The published JSON Schema of an fbnas architecture (`schema/arch.schema.json` in the package).
 * @example
 * import { archJsonSchema } from '@fbnas/search-space';
 * console.log(archJsonSchema.$id);
 */
export const archJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://fbnas.dev/schema/arch.schema.json',
  title: 'fbnas architecture',
  ...archEnvelopeJsonSchema,
  properties: {
    ...archEnvelopeJsonSchema.properties,
    blocks: {
      ...archEnvelopeJsonSchema.properties.blocks,
      items: {
        type: 'object',
        required: ['op'],
        allOf: BLOCK_OPS.map((op) => ({
          if: { properties: { op: { const: op } } },
          then: blockJsonSchemas[op],
        })),
      },
    },
  },
};
