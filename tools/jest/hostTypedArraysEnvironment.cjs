// A jest node environment whose typed-array constructors are the host realm's. Native addons such as
// onnxruntime-node return host-realm typed arrays, and onnxruntime-common (loaded inside jest's vm
// context) checks `instanceof Float32Array`: without this, every session.run fails in jest.
const { TestEnvironment } = require('jest-environment-node');

class HostTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of ['ArrayBuffer', 'Float32Array', 'Float64Array', 'Int8Array', 'Int16Array', 'Int32Array', 'Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array']) {
      this.global[name] = globalThis[name];
    }
  }
}

module.exports = HostTypedArraysEnvironment;
