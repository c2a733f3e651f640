import type { Activation, SeGate } from '../contract';

/** What a mobile-vision op name (e.g. `ir_k5_sehsig_hs`) says about a block. */
export type MobileVisionOp =
  | { op: 'conv'; kernel: number; activation: Activation }
  | { op: 'ir'; kernel: number; groups: number; se: SeGate | null; activation: Activation }
  | { op: 'ir_pool'; activation: Activation }
  | { op: 'skip' };

const IR = /^ir_k(\d+)(?:_g(\d+))?(?:_(se|sehsig))?(?:_(hs))?$/;
const CONV = /^conv_k(\d+)(?:_(hs))?$/;

/** Parse a mobile-vision block name; null when it is not one we model. */
export function parseMobileVisionOpName(name: string): MobileVisionOp | null {
  if (name === 'skip') return { op: 'skip' };
  if (name === 'ir_pool' || name === 'ir_pool_hs') return { op: 'ir_pool', activation: name === 'ir_pool' ? 'relu' : 'hswish' };
  let m = IR.exec(name);
  if (m) {
    return {
      op: 'ir',
      kernel: Number(m[1]),
      groups: m[2] ? Number(m[2]) : 1,
      se: m[3] === 'se' ? 'sigmoid' : m[3] === 'sehsig' ? 'hsigmoid' : null,
      activation: m[4] ? 'hswish' : 'relu',
    };
  }
  m = CONV.exec(name);
  if (m) return { op: 'conv', kernel: Number(m[1]), activation: m[2] ? 'hswish' : 'relu' };
  return null;
}

/** The mobile-vision name of a block (activations other than relu/hswish travel as `relu_args`). */
export function formatMobileVisionOpName(op: MobileVisionOp): string {
  const hs = 'activation' in op && op.activation === 'hswish' ? '_hs' : '';
  switch (op.op) {
    case 'skip':
      return 'skip';
    case 'ir_pool':
      return `ir_pool${hs}`;
    case 'conv':
      return `conv_k${op.kernel}${hs}`;
    case 'ir':
      return `ir_k${op.kernel}${op.groups > 1 ? `_g${op.groups}` : ''}${op.se === 'sigmoid' ? '_se' : op.se === 'hsigmoid' ? '_sehsig' : ''}${hs}`;
  }
}
