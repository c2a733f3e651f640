/** Kernel names of the fused ops fbnas registers (wasm and cpu) with their gradients. */
export const FBNAS_BATCH_NORM_TRAIN = 'FbnasBatchNormTrain';
export const FBNAS_BATCH_NORM_TRAIN_GRAD = 'FbnasBatchNormTrainGrad';
export const FBNAS_ACTIVATION = 'FbnasActivation';
export const FBNAS_ACTIVATION_GRAD = 'FbnasActivationGrad';
export const FBNAS_GLOBAL_AVG_POOL = 'FbnasGlobalAvgPool';
export const FBNAS_GLOBAL_AVG_POOL_GRAD = 'FbnasGlobalAvgPoolGrad';
/** One SGD-momentum update of a variable (inputs w, b, g; attrs lr, momentum, decay; outputs w', b'). */
export const FBNAS_SGD_MOMENTUM = 'FbnasSgdMomentum';
/** moving * momentum + batch * (1 - momentum) (inputs moving, batch; attr momentum). */
export const FBNAS_MOVING_AVERAGE = 'FbnasMovingAverage';
/**
 * Filter gradient of a grouped 1x1 stride-1 conv, diagonal blocks only (inputs x `[N,H,W,cin]`, dy
 * `[N,H,W,cout]`; attrs groups, masked: output `[1,1,cin/groups,cout]`, or `[1,1,cin,cout]` zero off the
 * diagonal blocks when masked).
 */
export const FBNAS_GROUPED_CONV1X1_FILTER_GRAD = 'FbnasGroupedConv1x1FilterGrad';

/** Activations with a fused kernel, and their kernel codes (assembly/kernels.ts). */
export const FUSED_ACTIVATION_CODES = { relu: 0, relu6: 1, hswish: 2, hsigmoid: 3 } as const;
/** One of the keys of {@link FUSED_ACTIVATION_CODES}. */
export type FusedActivation = keyof typeof FUSED_ACTIVATION_CODES;
