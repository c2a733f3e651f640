// fbnas training kernels, compiled with AssemblyScript to a SIMD wasm module that imports the tfjs
// wasm backend's memory. Every pointer is a byte offset of a float32 NHWC tensor in that memory, so the
// kernels read and write tfjs tensors in place. The module must own no memory of its own: no strings,
// no allocation, no static data (the build checks that the binary has no data segment).

// @ts-nocheck  (AssemblyScript types: i32, usize, f32, v128)

/**
 * dW[ky,kx,c] = sum over n,oy,ox of x[n, oy*sh - pt + ky*dh, ox*sw - pl + kx*dw, c] * dy[n,oy,ox,c].
 * Row sweeps: for each output row, filter tap and group of 4 channels, two register accumulators run along
 * the tap's valid stretch of the row (no bounds tests inside), and the sum is added to dW once per row.
 */
export function depthwiseBackpropFilter(
  x: usize, dy: usize, dW: usize,
  n: i32, h: i32, w: i32, c: i32, ho: i32, wo: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, dh: i32, dwl: i32,
): void {
  memory.fill(dW, 0, <usize>(kh * kw * c) << 2);
  const c4 = c & ~3;
  const rowBytes = <usize>c << 2;
  const xStep = <usize>sw * rowBytes;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < ho; oy++) {
      const dyRow = dy + <usize>((b * ho + oy) * wo) * rowBytes;
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * sh - pt + ky * dh;
        if (iy < 0 || iy >= h) continue;
        const xRow = x + <usize>((b * h + iy) * w) * rowBytes;
        for (let kx = 0; kx < kw; kx++) {
          // ix = ox * sw - pl + kx * dw must lie in [0, w).
          const lo = pl - kx * dwl;
          const hi = w + pl - kx * dwl;
          const oxa = lo <= 0 ? 0 : (lo + sw - 1) / sw;
          const oxb = hi <= 0 ? 0 : min(wo, (hi + sw - 1) / sw);
          if (oxa >= oxb) continue;
          const wp = dW + <usize>(ky * kw + kx) * rowBytes;
          const dy0 = dyRow + <usize>oxa * rowBytes;
          const x0 = xRow + <usize>(oxa * sw - lo) * rowBytes;
          const count = oxb - oxa;
          const pairs = count & ~1;
          let ch = 0;
          for (; ch < c4; ch += 4) {
            const o = <usize>ch << 2;
            let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
            let dp = dy0 + o, xp = x0 + o;
            for (let i = 0; i < pairs; i += 2) {
              a0 = f32x4.add(a0, f32x4.mul(v128.load(xp), v128.load(dp)));
              a1 = f32x4.add(a1, f32x4.mul(v128.load(xp + xStep), v128.load(dp + rowBytes)));
              dp += rowBytes << 1;
              xp += xStep << 1;
            }
            if (pairs < count) a0 = f32x4.add(a0, f32x4.mul(v128.load(xp), v128.load(dp)));
            v128.store(wp + o, f32x4.add(v128.load(wp + o), f32x4.add(a0, a1)));
          }
          for (; ch < c; ch++) {
            const o = <usize>ch << 2;
            let a: f32 = 0;
            let dp = dy0 + o, xp = x0 + o;
            for (let i = 0; i < count; i++) {
              a += load<f32>(xp) * load<f32>(dp);
              dp += rowBytes;
              xp += xStep;
            }
            store<f32>(wp + o, load<f32>(wp + o) + a);
          }
        }
      }
    }
  }
}

/**
 * The row sweeps shared by the depthwise forward conv and its input gradient (channel multiplier 1): for
 * each output row, filter tap and group of 4 channels, the tap stays in a register along the tap's valid
 * stretch of the row (no bounds tests inside, no indirection buffer). `toInput` 0: the input-side tensor
 * `inSide` [n,h,w,c] is gathered into the output-side `outSide` [n,ho,wo,c] (forward, y from x);
 * 1: `outSide` is scattered into `inSide` (input gradient, dx from dy). The destination is zeroed first.
 * Inlined into both callers, so each gets its own loops with the direction folded in.
 */
@inline
function depthwiseRowSweeps(
  inSide: usize, filter: usize, outSide: usize, toInput: bool,
  n: i32, h: i32, w: i32, c: i32, ho: i32, wo: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, dh: i32, dwl: i32,
): void {
  if (toInput) memory.fill(inSide, 0, <usize>(n * h * w * c) << 2);
  else memory.fill(outSide, 0, <usize>(n * ho * wo * c) << 2);
  const c4 = c & ~3;
  const rowBytes = <usize>c << 2;
  const xStep = <usize>sw * rowBytes;
  const dstStep = toInput ? xStep : rowBytes;
  const srcStep = toInput ? rowBytes : xStep;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < ho; oy++) {
      const oRow = outSide + <usize>((b * ho + oy) * wo) * rowBytes;
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * sh - pt + ky * dh;
        if (iy < 0 || iy >= h) continue;
        const iRow = inSide + <usize>((b * h + iy) * w) * rowBytes;
        for (let kx = 0; kx < kw; kx++) {
          const lo = pl - kx * dwl;
          const hi = w + pl - kx * dwl;
          const oxa = lo <= 0 ? 0 : (lo + sw - 1) / sw;
          const oxb = hi <= 0 ? 0 : min(wo, (hi + sw - 1) / sw);
          if (oxa >= oxb) continue;
          const fp = filter + <usize>(ky * kw + kx) * rowBytes;
          const o0 = oRow + <usize>oxa * rowBytes;
          const i0 = iRow + <usize>(oxa * sw - lo) * rowBytes;
          const dst0 = toInput ? i0 : o0;
          const src0 = toInput ? o0 : i0;
          const count = oxb - oxa;
          let ch = 0;
          for (; ch < c4; ch += 4) {
            const o = <usize>ch << 2;
            const f = v128.load(fp + o);
            let dp = dst0 + o, sp = src0 + o;
            for (let i = 0; i < count; i++) {
              v128.store(dp, f32x4.add(v128.load(dp), f32x4.mul(f, v128.load(sp))));
              dp += dstStep;
              sp += srcStep;
            }
          }
          for (; ch < c; ch++) {
            const o = <usize>ch << 2;
            const f = load<f32>(fp + o);
            let dp = dst0 + o, sp = src0 + o;
            for (let i = 0; i < count; i++) {
              store<f32>(dp, load<f32>(dp) + f * load<f32>(sp));
              dp += dstStep;
              sp += srcStep;
            }
          }
        }
      }
    }
  }
}

/** dx[n,iy,ix,c] = sum over the outputs that read it of filter[ky,kx,c] * dy[n,oy,ox,c] (row sweeps scattering dy into dx). */
export function depthwiseBackpropInput(
  dy: usize, filter: usize, dx: usize,
  n: i32, h: i32, w: i32, c: i32, ho: i32, wo: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, dh: i32, dwl: i32,
): void {
  depthwiseRowSweeps(dx, filter, dy, true, n, h, w, c, ho, wo, kh, kw, sh, sw, pt, pl, dh, dwl);
}

/** Depthwise conv y[n,oy,ox,c] = sum over the taps of filter[ky,kx,c] * x[n,iy,ix,c] (row sweeps gathering x into y). */
export function depthwiseForward(
  x: usize, filter: usize, y: usize,
  n: i32, h: i32, w: i32, c: i32, ho: i32, wo: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, dh: i32, dwl: i32,
): void {
  depthwiseRowSweeps(x, filter, y, false, n, h, w, c, ho, wo, kh, kw, sh, sw, pt, pl, dh, dwl);
}

/**
 * dW[ky,kx,ci,co] = sum over n,oy,ox of x[n,iy,ix,ci] * dy[n,oy,ox,co] (regular conv, filter HWIO).
 * Rank-1 updates vectorised over co; used for k x k convolutions (1x1 convs go through a matmul).
 */
export function conv2dBackpropFilter(
  x: usize, dy: usize, dW: usize,
  n: i32, h: i32, w: i32, cin: i32, ho: i32, wo: i32, cout: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, dh: i32, dwl: i32,
): void {
  memory.fill(dW, 0, <usize>(kh * kw * cin * cout) << 2);
  const co4 = cout & ~3;
  const inRow = <usize>cin << 2;
  const outRow = <usize>cout << 2;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        const dyp = dy + (<usize>((b * ho + oy) * wo + ox) * outRow);
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dwl;
            if (ix < 0 || ix >= w) continue;
            const xp = x + (<usize>((b * h + iy) * w + ix) * inRow);
            const wbase = dW + (<usize>((ky * kw + kx) * cin) * outRow);
            for (let ci = 0; ci < cin; ci++) {
              const xv = load<f32>(xp + (<usize>ci << 2));
              if (xv == 0) continue;
              const xs = f32x4.splat(xv);
              const wp = wbase + <usize>ci * outRow;
              let co = 0;
              for (; co < co4; co += 4) {
                const o = <usize>co << 2;
                v128.store(wp + o, f32x4.add(v128.load(wp + o), f32x4.mul(xs, v128.load(dyp + o))));
              }
              for (; co < cout; co++) {
                const o = <usize>co << 2;
                store<f32>(wp + o, load<f32>(wp + o) + xv * load<f32>(dyp + o));
              }
            }
          }
        }
      }
    }
  }
}

/** Depthwise filter gradient for a channel multiplier m > 1 (output channel oc reads input oc / m). */
export function depthwiseBackpropFilterMulti(
  x: usize, dy: usize, dW: usize,
  n: i32, h: i32, w: i32, cin: i32, m: i32, ho: i32, wo: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, dh: i32, dwl: i32,
): void {
  const cout = cin * m;
  memory.fill(dW, 0, <usize>(kh * kw * cout) << 2);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        const dyp = dy + (<usize>(((b * ho + oy) * wo + ox) * cout) << 2);
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dwl;
            if (ix < 0 || ix >= w) continue;
            const xp = x + (<usize>(((b * h + iy) * w + ix) * cin) << 2);
            const wp = dW + (<usize>((ky * kw + kx) * cout) << 2);
            for (let oc = 0; oc < cout; oc++) {
              const o = <usize>oc << 2;
              store<f32>(wp + o, load<f32>(wp + o) + load<f32>(xp + (<usize>(oc / m) << 2)) * load<f32>(dyp + o));
            }
          }
        }
      }
    }
  }
}

/** Depthwise input gradient for a channel multiplier m > 1. */
export function depthwiseBackpropInputMulti(
  dy: usize, filter: usize, dx: usize,
  n: i32, h: i32, w: i32, cin: i32, m: i32, ho: i32, wo: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, dh: i32, dwl: i32,
): void {
  const cout = cin * m;
  memory.fill(dx, 0, <usize>(n * h * w * cin) << 2);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        const dyp = dy + (<usize>(((b * ho + oy) * wo + ox) * cout) << 2);
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dwl;
            if (ix < 0 || ix >= w) continue;
            const xp = dx + (<usize>(((b * h + iy) * w + ix) * cin) << 2);
            const fp = filter + (<usize>((ky * kw + kx) * cout) << 2);
            for (let oc = 0; oc < cout; oc++) {
              const o = <usize>oc << 2;
              const xo = <usize>(oc / m) << 2;
              store<f32>(xp + xo, load<f32>(xp + xo) + load<f32>(fp + o) * load<f32>(dyp + o));
            }
          }
        }
      }
    }
  }
}

// ---- piecewise-linear activations: -1 none, 0 relu, 1 relu6, 2 hswish, 3 hsigmoid ----

@inline function actV(v: v128, kind: i32): v128 {
  if (kind < 0) return v;
  const zero = f32x4.splat(0);
  if (kind == 0) return f32x4.max(v, zero);
  const six = f32x4.splat(6);
  if (kind == 1) return f32x4.min(f32x4.max(v, zero), six);
  const h = f32x4.mul(f32x4.min(f32x4.max(f32x4.add(v, f32x4.splat(3)), zero), six), f32x4.splat(<f32>(1.0 / 6.0)));
  return kind == 2 ? f32x4.mul(v, h) : h;
}

@inline function actS(v: f32, kind: i32): f32 {
  if (kind < 0) return v;
  if (kind == 0) return v > 0 ? v : 0;
  if (kind == 1) return v < 0 ? 0 : v > 6 ? 6 : v;
  const t = v + 3;
  const h: f32 = (t < 0 ? 0 : t > 6 ? 6 : t) / 6;
  return kind == 2 ? v * h : h;
}

/** f'(v); at the kinks the derivative of the right-hand piece (0 for relu at 0). */
@inline function actDV(v: v128, kind: i32): v128 {
  const one = f32x4.splat(1);
  if (kind < 0) return one;
  const zero = f32x4.splat(0);
  if (kind == 0) return v128.and(f32x4.gt(v, zero), one);
  if (kind == 1) return v128.and(v128.and(f32x4.gt(v, zero), f32x4.lt(v, f32x4.splat(6))), one);
  const three = f32x4.splat(3);
  const mthree = f32x4.splat(-3);
  const sixth = f32x4.splat(<f32>(1.0 / 6.0));
  if (kind == 2) return v128.bitselect(zero, v128.bitselect(one, f32x4.mul(f32x4.add(f32x4.add(v, v), three), sixth), f32x4.gt(v, three)), f32x4.lt(v, mthree));
  return v128.and(v128.and(f32x4.gt(v, mthree), f32x4.lt(v, three)), sixth);
}

@inline function actDS(v: f32, kind: i32): f32 {
  if (kind < 0) return 1;
  if (kind == 0) return v > 0 ? 1 : 0;
  if (kind == 1) return v > 0 && v < 6 ? 1 : 0;
  if (kind == 2) return v < -3 ? 0 : v > 3 ? 1 : (2 * v + 3) / 6;
  return v > -3 && v < 3 ? <f32>(1.0 / 6.0) : 0;
}

export function activationForward(x: usize, y: usize, n: i32, kind: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) { const o = <usize>i << 2; v128.store(y + o, actV(v128.load(x + o), kind)); }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(y + o, actS(load<f32>(x + o), kind)); }
}

/** dx = dy * f'(x). */
export function activationBackward(dy: usize, x: usize, dx: usize, n: i32, kind: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) { const o = <usize>i << 2; v128.store(dx + o, f32x4.mul(v128.load(dy + o), actDV(v128.load(x + o), kind))); }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(dx + o, load<f32>(dy + o) * actDS(load<f32>(x + o), kind)); }
}

// ---- fused BatchNorm (training) + activation over a [pixels, c] view of an NHWC tensor ----

/**
 * mean[c], invstd[c] = 1 / sqrt(var + eps) (two-pass, biased variance) and y = f((x - mean) * invstd * gamma + beta),
 * f the activation `kind` (-1: none).
 */
export function bnTrainForward(x: usize, gamma: usize, beta: usize, y: usize, mean: usize, invstd: usize, pixels: i32, c: i32, eps: f32, kind: i32): void {
  const c4 = c & ~3;
  const row = <usize>c << 2;
  memory.fill(mean, 0, row);
  memory.fill(invstd, 0, row);
  for (let p = 0; p < pixels; p++) {
    const xp = x + <usize>p * row;
    let ch = 0;
    for (; ch < c4; ch += 4) { const o = <usize>ch << 2; v128.store(mean + o, f32x4.add(v128.load(mean + o), v128.load(xp + o))); }
    for (; ch < c; ch++) { const o = <usize>ch << 2; store<f32>(mean + o, load<f32>(mean + o) + load<f32>(xp + o)); }
  }
  const inv: f32 = 1.0 / <f32>pixels;
  for (let ch = 0; ch < c; ch++) { const o = <usize>ch << 2; store<f32>(mean + o, load<f32>(mean + o) * inv); }
  for (let p = 0; p < pixels; p++) {
    const xp = x + <usize>p * row;
    let ch = 0;
    for (; ch < c4; ch += 4) {
      const o = <usize>ch << 2;
      const d = f32x4.sub(v128.load(xp + o), v128.load(mean + o));
      v128.store(invstd + o, f32x4.add(v128.load(invstd + o), f32x4.mul(d, d)));
    }
    for (; ch < c; ch++) { const o = <usize>ch << 2; const d = load<f32>(xp + o) - load<f32>(mean + o); store<f32>(invstd + o, load<f32>(invstd + o) + d * d); }
  }
  for (let ch = 0; ch < c; ch++) { const o = <usize>ch << 2; store<f32>(invstd + o, <f32>1.0 / Mathf.sqrt(load<f32>(invstd + o) * inv + eps)); }
  for (let p = 0; p < pixels; p++) {
    const xp = x + <usize>p * row;
    const yp = y + <usize>p * row;
    let ch = 0;
    for (; ch < c4; ch += 4) {
      const o = <usize>ch << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(xp + o), v128.load(mean + o)), v128.load(invstd + o));
      v128.store(yp + o, actV(f32x4.add(f32x4.mul(xh, v128.load(gamma + o)), v128.load(beta + o)), kind));
    }
    for (; ch < c; ch++) {
      const o = <usize>ch << 2;
      store<f32>(yp + o, actS((load<f32>(xp + o) - load<f32>(mean + o)) * load<f32>(invstd + o) * load<f32>(gamma + o) + load<f32>(beta + o), kind));
    }
  }
}

/**
 * With g = dy * f'(xhat * gamma + beta) (f the activation `kind`, -1: none): dbeta = sum g; dgamma = sum g * xhat;
 * dx = gamma * invstd * (g - dbeta / P - xhat * dgamma / P).
 */
export function bnTrainBackward(dy: usize, x: usize, mean: usize, invstd: usize, gamma: usize, beta: usize, dx: usize, dgamma: usize, dbeta: usize, pixels: i32, c: i32, kind: i32): void {
  const c4 = c & ~3;
  const row = <usize>c << 2;
  memory.fill(dgamma, 0, row);
  memory.fill(dbeta, 0, row);
  for (let p = 0; p < pixels; p++) {
    const xp = x + <usize>p * row;
    const gp = dy + <usize>p * row;
    let ch = 0;
    for (; ch < c4; ch += 4) {
      const o = <usize>ch << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(xp + o), v128.load(mean + o)), v128.load(invstd + o));
      const g = f32x4.mul(v128.load(gp + o), actDV(f32x4.add(f32x4.mul(xh, v128.load(gamma + o)), v128.load(beta + o)), kind));
      v128.store(dbeta + o, f32x4.add(v128.load(dbeta + o), g));
      v128.store(dgamma + o, f32x4.add(v128.load(dgamma + o), f32x4.mul(g, xh)));
    }
    for (; ch < c; ch++) {
      const o = <usize>ch << 2;
      const xh = (load<f32>(xp + o) - load<f32>(mean + o)) * load<f32>(invstd + o);
      const g = load<f32>(gp + o) * actDS(xh * load<f32>(gamma + o) + load<f32>(beta + o), kind);
      store<f32>(dbeta + o, load<f32>(dbeta + o) + g);
      store<f32>(dgamma + o, load<f32>(dgamma + o) + g * xh);
    }
  }
  const inv: f32 = 1.0 / <f32>pixels;
  const invv = f32x4.splat(inv);
  for (let p = 0; p < pixels; p++) {
    const xp = x + <usize>p * row;
    const gp = dy + <usize>p * row;
    const dp = dx + <usize>p * row;
    let ch = 0;
    for (; ch < c4; ch += 4) {
      const o = <usize>ch << 2;
      const is = v128.load(invstd + o);
      const gm = v128.load(gamma + o);
      const xh = f32x4.mul(f32x4.sub(v128.load(xp + o), v128.load(mean + o)), is);
      const g = f32x4.mul(v128.load(gp + o), actDV(f32x4.add(f32x4.mul(xh, gm), v128.load(beta + o)), kind));
      const t = f32x4.sub(f32x4.sub(g, f32x4.mul(v128.load(dbeta + o), invv)), f32x4.mul(xh, f32x4.mul(v128.load(dgamma + o), invv)));
      v128.store(dp + o, f32x4.mul(f32x4.mul(gm, is), t));
    }
    for (; ch < c; ch++) {
      const o = <usize>ch << 2;
      const is = load<f32>(invstd + o);
      const gm = load<f32>(gamma + o);
      const xh = (load<f32>(xp + o) - load<f32>(mean + o)) * is;
      const g = load<f32>(gp + o) * actDS(xh * gm + load<f32>(beta + o), kind);
      store<f32>(dp + o, gm * is * (g - load<f32>(dbeta + o) * inv - xh * load<f32>(dgamma + o) * inv));
    }
  }
}

export function globalAvgPoolForward(x: usize, y: usize, n: i32, hw: i32, c: i32): void {
  const c4 = c & ~3;
  const row = <usize>c << 2;
  memory.fill(y, 0, <usize>(n * c) << 2);
  const inv = f32x4.splat(<f32>1.0 / <f32>hw);
  for (let b = 0; b < n; b++) {
    const yp = y + <usize>b * row;
    for (let p = 0; p < hw; p++) {
      const xp = x + <usize>(b * hw + p) * row;
      let ch = 0;
      for (; ch < c4; ch += 4) { const o = <usize>ch << 2; v128.store(yp + o, f32x4.add(v128.load(yp + o), v128.load(xp + o))); }
      for (; ch < c; ch++) { const o = <usize>ch << 2; store<f32>(yp + o, load<f32>(yp + o) + load<f32>(xp + o)); }
    }
    let ch = 0;
    for (; ch < c4; ch += 4) { const o = <usize>ch << 2; v128.store(yp + o, f32x4.mul(v128.load(yp + o), inv)); }
    for (; ch < c; ch++) { const o = <usize>ch << 2; store<f32>(yp + o, load<f32>(yp + o) / <f32>hw); }
  }
}

export function globalAvgPoolBackward(dy: usize, dx: usize, n: i32, hw: i32, c: i32): void {
  const c4 = c & ~3;
  const row = <usize>c << 2;
  const inv = f32x4.splat(<f32>1.0 / <f32>hw);
  for (let b = 0; b < n; b++) {
    const gp = dy + <usize>b * row;
    for (let p = 0; p < hw; p++) {
      const dp = dx + <usize>(b * hw + p) * row;
      let ch = 0;
      for (; ch < c4; ch += 4) { const o = <usize>ch << 2; v128.store(dp + o, f32x4.mul(v128.load(gp + o), inv)); }
      for (; ch < c; ch++) { const o = <usize>ch << 2; store<f32>(dp + o, load<f32>(gp + o) / <f32>hw); }
    }
  }
}

// ---- register-tiled 1x1 convolution gradients ----

/**
 * 1x1 stride-1 filter gradient of a conv with `groups` groups (1: dense): dW[ci',co] = sum_p x[p, g*cin/groups + ci'] dy[p,co]
 * for output channel co of group g, i.e. the `[cin / groups, cout]` filter of the grouped conv; with `masked`
 * the `[cin, cout]` gradient of a dense filter used through the block-diagonal mask (row ci, zero off the
 * diagonal blocks). The blocks off the diagonal are never computed. Tiled 4 input x 8 output channels in
 * registers over chunks of 256 pixels (the chunk stays in cache). Channel counts need not be multiples.
 */
export function conv1x1BackpropFilter(x: usize, dy: usize, dW: usize, pixels: i32, cin: i32, cout: i32, groups: i32, masked: i32): void {
  const cinG = cin / groups;
  const coutG = cout / groups;
  memory.fill(dW, 0, <usize>((masked ? cin : cinG) * cout) << 2);
  const inRow = <usize>cin << 2;
  const outRow = <usize>cout << 2;
  const CHUNK = 256;
  for (let p0 = 0; p0 < pixels; p0 += CHUNK) {
    const p1 = min(p0 + CHUNK, pixels);
    for (let g = 0; g < groups; g++) {
      const ciA = g * cinG;
      const rowA = masked ? 0 : ciA; // dW row of input channel ci: ci - rowA
      const coA = g * coutG;
      const coB = coA + coutG;
      const ci4 = ciA + (cinG & ~3);
      const co8 = coA + (coutG & ~7);
      for (let ci = ciA; ci < ci4; ci += 4) {
        for (let co = coA; co < co8; co += 8) {
          const w0 = dW + <usize>(ci - rowA) * outRow + (<usize>co << 2);
          let a00 = v128.load(w0), a01 = v128.load(w0 + 16);
          let a10 = v128.load(w0 + outRow), a11 = v128.load(w0 + outRow + 16);
          let a20 = v128.load(w0 + 2 * outRow), a21 = v128.load(w0 + 2 * outRow + 16);
          let a30 = v128.load(w0 + 3 * outRow), a31 = v128.load(w0 + 3 * outRow + 16);
          for (let p = p0; p < p1; p++) {
            const xp = x + <usize>p * inRow + (<usize>ci << 2);
            const gp = dy + <usize>p * outRow + (<usize>co << 2);
            const g0 = v128.load(gp), g1 = v128.load(gp + 16);
            const x0 = f32x4.splat(load<f32>(xp)), x1 = f32x4.splat(load<f32>(xp + 4));
            const x2 = f32x4.splat(load<f32>(xp + 8)), x3 = f32x4.splat(load<f32>(xp + 12));
            a00 = f32x4.add(a00, f32x4.mul(x0, g0)); a01 = f32x4.add(a01, f32x4.mul(x0, g1));
            a10 = f32x4.add(a10, f32x4.mul(x1, g0)); a11 = f32x4.add(a11, f32x4.mul(x1, g1));
            a20 = f32x4.add(a20, f32x4.mul(x2, g0)); a21 = f32x4.add(a21, f32x4.mul(x2, g1));
            a30 = f32x4.add(a30, f32x4.mul(x3, g0)); a31 = f32x4.add(a31, f32x4.mul(x3, g1));
          }
          v128.store(w0, a00); v128.store(w0 + 16, a01);
          v128.store(w0 + outRow, a10); v128.store(w0 + outRow + 16, a11);
          v128.store(w0 + 2 * outRow, a20); v128.store(w0 + 2 * outRow + 16, a21);
          v128.store(w0 + 3 * outRow, a30); v128.store(w0 + 3 * outRow + 16, a31);
        }
      }
      // Edges: the group's remaining input channels (all its outputs) and remaining outputs of its tiled inputs.
      for (let p = p0; p < p1; p++) {
        const xp = x + <usize>p * inRow;
        const gp = dy + <usize>p * outRow;
        for (let ci = ciA; ci < ciA + cinG; ci++) {
          const xv = load<f32>(xp + (<usize>ci << 2));
          const wrow = dW + <usize>(ci - rowA) * outRow;
          const from = ci < ci4 ? co8 : coA;
          for (let co = from; co < coB; co++) {
            const o = <usize>co << 2;
            store<f32>(wrow + o, load<f32>(wrow + o) + xv * load<f32>(gp + o));
          }
        }
      }
    }
  }
}

// ---- optimizer ----

/** SGD with momentum and L2 decay, PyTorch form: b' = momentum b + (g + decay w); w' = w - lr b'. */
export function sgdMomentum(w: usize, b: usize, g: usize, wOut: usize, bOut: usize, n: i32, lr: f32, momentum: f32, decay: f32): void {
  const n4 = n & ~3;
  const lrv = f32x4.splat(lr), mv = f32x4.splat(momentum), dv = f32x4.splat(decay);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const wv = v128.load(w + o);
    const bn = f32x4.add(f32x4.mul(v128.load(b + o), mv), f32x4.add(v128.load(g + o), f32x4.mul(wv, dv)));
    v128.store(bOut + o, bn);
    v128.store(wOut + o, f32x4.sub(wv, f32x4.mul(bn, lrv)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const wv = load<f32>(w + o);
    const bn = load<f32>(b + o) * momentum + (load<f32>(g + o) + wv * decay);
    store<f32>(bOut + o, bn);
    store<f32>(wOut + o, wv - bn * lr);
  }
}

/** out = moving * momentum + batch * (1 - momentum) (BatchNorm running statistics). */
export function movingAverage(moving: usize, batch: usize, out: usize, n: i32, momentum: f32): void {
  const keep: f32 = 1 - momentum;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(moving + o) * momentum + load<f32>(batch + o) * keep);
  }
}
