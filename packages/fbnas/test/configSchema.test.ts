import fc from 'fast-check';
import { configErrors, isPipelineError, parseConfigText, SEARCH_FBNET_CONFIG_SCHEMA, toJsonSchema, validateConfig } from '../src';

const api = 'fbnas search fbnet --config';

/** Random valid values of the fbnet config: every path the schema knows, any subset of them. */
const validConfig = fc.record(
  {
    dataset: fc.constantFrom('fashion-mnist', 'mnist'),
    seed: fc.nat(),
    cost: fc.constantFrom('latency', 'macs', 'params'),
    samples: fc.nat({ max: 20 }),
    search: fc.record(
      {
        mode: fc.constantFrom('hard', 'soft'),
        epochs: fc.integer({ min: 1, max: 100 }),
        weightShare: fc.double({ min: 0.01, max: 1, noNaN: true }),
        costLoss: fc.oneof(
          fc.record({ kind: fc.constant('fbnet'), alpha: fc.double({ min: 0.01, max: 10, noNaN: true }), scale: fc.oneof(fc.constant('auto'), fc.double({ min: 0.1, max: 100, noNaN: true })) }, { requiredKeys: ['kind'] }),
          fc.record({ kind: fc.constant('target'), target: fc.double({ min: 0.01, max: 10, noNaN: true }) }),
        ),
        temperature: fc.record({ tau0: fc.double({ min: 0.1, max: 10, noNaN: true }) }),
      },
      { requiredKeys: [] },
    ),
    model: fc.record({ dropout: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), zeroInitResidualGamma: fc.boolean() }, { requiredKeys: [] }),
    train: fc.record({ epochs: fc.integer({ min: 1, max: 50 }), optimizer: fc.constantFrom('sgd', 'adam', 'rmsprop'), augment: fc.record({ randomCrop: fc.nat(4), flip: fc.boolean() }) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

describe('configuration files', () => {
  it('accepts every valid configuration, from JSON and from YAML alike (property)', () => {
    fc.assert(
      fc.property(validConfig, (config) => {
        expect(configErrors(SEARCH_FBNET_CONFIG_SCHEMA, config)).toEqual([]);
        // the same document written as JSON parses to the same value through the YAML path
        expect(parseConfigText(JSON.stringify(config), 'run.yaml', api)).toEqual(config);
      }),
    );
  });

  it('rejects a wrong value anywhere with an error naming its path (property)', () => {
    const bad = fc.constantFrom<[string, unknown, RegExp]>(
      ['seed', -1, /^seed must be an integer >= 0, got -1/],
      ['seed', 1.5, /^seed must be an integer/],
      ['dataset', 'cifar10', /^dataset must be one of "fashion-mnist", "mnist", got "cifar10"/],
      ['samples', Number.NaN, /^samples must be an integer >= 0, got NaN/],
      ['search.epochs', 0, /^search\.epochs must be an integer >= 1, got 0/],
      ['search.weightShare', 1.5, /^search\.weightShare must be a finite number > 0 and <= 1, got 1\.5/],
      ['search.costLoss.kind', 'latency', /^search\.costLoss\.kind must be one of "fbnet", "target", got "latency"/],
      ['model.dropout', 1, /^model\.dropout must be a finite number >= 0 and < 1, got 1/],
      ['train.optimizer', 'lamb', /^train\.optimizer must be one of "sgd", "adam", "rmsprop"/],
      ['train.augment.flip', 'yes', /^train\.augment\.flip must be a boolean, got "yes"/],
      ['train.epochz', 3, /^train\.epochz is not a known option \(known here: epochs, /],
    );
    fc.assert(
      fc.property(validConfig, bad, (config, [path, value, message]) => {
        const doc = structuredClone(config) as Record<string, unknown>;
        const keys = path.split('.');
        let node = doc;
        for (const k of keys.slice(0, -1)) {
          if (k === 'costLoss') node[k] = { kind: 'fbnet' };
          else node[k] = { ...(node[k] as object) };
          node = node[k] as Record<string, unknown>;
        }
        node[keys.at(-1) as string] = value;
        const errors = configErrors(SEARCH_FBNET_CONFIG_SCHEMA, doc);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(message);
        try {
          validateConfig(SEARCH_FBNET_CONFIG_SCHEMA, doc, api, 'run.yaml');
          throw new Error('accepted');
        } catch (err) {
          expect(isPipelineError(err) && err.code === 'INVALID_CONFIG' && err.message.startsWith(`${api}: run.yaml is invalid: ${path}`)).toBe(true);
        }
      }),
    );
  });

  it('a target cost loss needs its target; the top level must be an object', () => {
    expect(configErrors(SEARCH_FBNET_CONFIG_SCHEMA, { search: { costLoss: { kind: 'target' } } })).toEqual(['search.costLoss.target is required']);
    expect(configErrors(SEARCH_FBNET_CONFIG_SCHEMA, { search: { costLoss: { kind: 'target', target: 0.75, relativeTo: 'uniform' } } })).toEqual([]);
    expect(configErrors(SEARCH_FBNET_CONFIG_SCHEMA, { search: { costLoss: { kind: 'target', target: 0.75, relativeTo: 'median' } } })).toEqual([
      expect.stringMatching(/^search\.costLoss\.relativeTo must be one of .*absolute.*uniform/),
    ]);
    expect(configErrors(SEARCH_FBNET_CONFIG_SCHEMA, [1, 2])).toEqual(['(the document) must be an object, got [1,2]']);
  });

  it('reads YAML with comments and reports syntax errors with the file name (property: never a raw exception)', () => {
    const yaml = '# a longer search\nsearch:\n  epochs: 12   # more epochs\n  costLoss: { kind: target, target: 0.5 }\ntrain:\n  epochs: 8\n';
    expect(parseConfigText(yaml, 'long.yml', api)).toEqual({ search: { epochs: 12, costLoss: { kind: 'target', target: 0.5 } }, train: { epochs: 8 } });
    expect(() => parseConfigText('search: [1, 2', 'bad.yaml', api)).toThrow(/bad\.yaml is not valid YAML/);
    expect(() => parseConfigText('a: 1\na: 2\n', 'dup.yaml', api)).toThrow(/dup\.yaml is not valid YAML/);
    expect(() => parseConfigText('{"search": ', 'bad.json', api)).toThrow(/bad\.json is not valid JSON/);
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('c.yaml', 'c.json'), (text, name) => {
        try {
          const value = parseConfigText(text, name, api);
          configErrors(SEARCH_FBNET_CONFIG_SCHEMA, value ?? {});
        } catch (err) {
          expect(isPipelineError(err)).toBe(true);
        }
      }),
    );
  });

  it('emits a JSON Schema with the same fields', () => {
    const schema = toJsonSchema(SEARCH_FBNET_CONFIG_SCHEMA, 'fbnas search fbnet') as { properties: Record<string, { properties?: Record<string, unknown> }>; additionalProperties: boolean };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(Object.keys(SEARCH_FBNET_CONFIG_SCHEMA.properties));
    expect(schema.properties.search.properties?.costLoss).toMatchObject({ oneOf: [{ properties: { kind: { const: 'fbnet' } } }, { required: ['kind', 'target'] }] });
    // bounds: inclusive and exclusive
    expect(schema.properties.model.properties?.dropout).toMatchObject({ type: 'number', minimum: 0, exclusiveMaximum: 1 });
    expect(schema.properties.train.properties?.ema).toMatchObject({ type: 'number', minimum: 0, maximum: 1 });
  });
});
