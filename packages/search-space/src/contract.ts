/**
 * Contract names shared by every fbnas package (the builder, the ONNX exporter, the latency model and
 * the supernet key on these constants, never on string literals).
 */

/** Block operation names of the architecture JSON. */
export const BLOCK_OPS = ['conv', 'ir', 'skip', 'ir_pool', 'pool', 'fc'] as const;
/** One of {@link BLOCK_OPS}. */
export type BlockOp = (typeof BLOCK_OPS)[number];

/** Activation names. `identity` means none. */
export const ACTIVATIONS = ['relu', 'relu6', 'hswish', 'swish', 'sigmoid', 'hsigmoid', 'identity'] as const;
/** One of {@link ACTIVATIONS}. */
export type Activation = (typeof ACTIVATIONS)[number];

/** Gates of squeeze-excitation. */
export const SE_GATES = ['hsigmoid', 'sigmoid'] as const;
/** One of {@link SE_GATES}. */
export type SeGate = (typeof SE_GATES)[number];

/** The format tag carried by every serialized architecture. */
export const ARCH_FORMAT = 'fbnas.arch/v1' as const;
