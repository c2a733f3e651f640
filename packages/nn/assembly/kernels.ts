// fbnas training kernels, compiled with AssemblyScript to a SIMD wasm module that imports the tfjs
// wasm backend's memory. Every pointer is a byte offset of a float32 NHWC tensor in that memory, so the
// kernels read and write tfjs tensors in place. The module must own no memory of its own: no strings,
// no allocation, no static data (the build checks that the binary has no data segment).

// @ts-nocheck  (AssemblyScript types: i32, usize, f32, v128)

/** dW[ky,kx,c] = sum over n,oy,ox of x[n, oy*sh - pt + ky*dh, ox*sw - pl + kx*dw, c] * dy[n,oy,ox,c]. */
export function depthwiseBackpropFilter(
  x: usize, dy: usize, dW: usize,
  n: i32, h: i32, w: i32, c: i32, ho: i32, wo: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, dh: i32, dwl: i32,
): void {
  memory.fill(dW, 0, <usize>(kh * kw * c) << 2);
  const c4 = c & ~3;
  const rowBytes = <usize>c << 2;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        const dyp = dy + (<usize>((b * ho + oy) * wo + ox) * rowBytes);
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dwl;
            if (ix < 0 || ix >= w) continue;
            const xp = x + (<usize>((b * h + iy) * w + ix) * rowBytes);
            const wp = dW + (<usize>(ky * kw + kx) * rowBytes);
            let ch = 0;
            for (; ch < c4; ch += 4) {
              const o = <usize>ch << 2;
              v128.store(wp + o, f32x4.add(v128.load(wp + o), f32x4.mul(v128.load(xp + o), v128.load(dyp + o))));
            }
            for (; ch < c; ch++) {
              const o = <usize>ch << 2;
              store<f32>(wp + o, load<f32>(wp + o) + load<f32>(xp + o) * load<f32>(dyp + o));
            }
          }
        }
      }
    }
  }
}

/** dx[n,iy,ix,c] = sum over the outputs that read it of filter[ky,kx,c] * dy[n,oy,ox,c]. */
export function depthwiseBackpropInput(
  dy: usize, filter: usize, dx: usize,
  n: i32, h: i32, w: i32, c: i32, ho: i32, wo: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, dh: i32, dwl: i32,
): void {
  memory.fill(dx, 0, <usize>(n * h * w * c) << 2);
  const c4 = c & ~3;
  const rowBytes = <usize>c << 2;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        const dyp = dy + (<usize>((b * ho + oy) * wo + ox) * rowBytes);
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dwl;
            if (ix < 0 || ix >= w) continue;
            const xp = dx + (<usize>((b * h + iy) * w + ix) * rowBytes);
            const fp = filter + (<usize>(ky * kw + kx) * rowBytes);
            let ch = 0;
            for (; ch < c4; ch += 4) {
              const o = <usize>ch << 2;
              v128.store(xp + o, f32x4.add(v128.load(xp + o), f32x4.mul(v128.load(fp + o), v128.load(dyp + o))));
            }
            for (; ch < c; ch++) {
              const o = <usize>ch << 2;
              store<f32>(xp + o, load<f32>(xp + o) + load<f32>(fp + o) * load<f32>(dyp + o));
            }
          }
        }
      }
    }
  }
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

// ---- fused BatchNorm (training) over a [pixels, c] view of an NHWC tensor ----

/** mean[c], invstd[c] = 1 / sqrt(var + eps) (two-pass, biased variance) and y = (x - mean) * invstd * gamma + beta. */
export function bnTrainForward(x: usize, gamma: usize, beta: usize, y: usize, mean: usize, invstd: usize, pixels: i32, c: i32, eps: f32): void {
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
      v128.store(yp + o, f32x4.add(f32x4.mul(xh, v128.load(gamma + o)), v128.load(beta + o)));
    }
    for (; ch < c; ch++) {
      const o = <usize>ch << 2;
      store<f32>(yp + o, (load<f32>(xp + o) - load<f32>(mean + o)) * load<f32>(invstd + o) * load<f32>(gamma + o) + load<f32>(beta + o));
    }
  }
}

/** dbeta = sum dy; dgamma = sum dy * xhat; dx = gamma * invstd * (dy - dbeta / P - xhat * dgamma / P). */
export function bnTrainBackward(dy: usize, x: usize, mean: usize, invstd: usize, gamma: usize, dx: usize, dgamma: usize, dbeta: usize, pixels: i32, c: i32): void {
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
      const g = v128.load(gp + o);
      const xh = f32x4.mul(f32x4.sub(v128.load(xp + o), v128.load(mean + o)), v128.load(invstd + o));
      v128.store(dbeta + o, f32x4.add(v128.load(dbeta + o), g));
      v128.store(dgamma + o, f32x4.add(v128.load(dgamma + o), f32x4.mul(g, xh)));
    }
    for (; ch < c; ch++) {
      const o = <usize>ch << 2;
      const g = load<f32>(gp + o);
      const xh = (load<f32>(xp + o) - load<f32>(mean + o)) * load<f32>(invstd + o);
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
      const xh = f32x4.mul(f32x4.sub(v128.load(xp + o), v128.load(mean + o)), is);
      const t = f32x4.sub(f32x4.sub(v128.load(gp + o), f32x4.mul(v128.load(dbeta + o), invv)), f32x4.mul(xh, f32x4.mul(v128.load(dgamma + o), invv)));
      v128.store(dp + o, f32x4.mul(f32x4.mul(v128.load(gamma + o), is), t));
    }
    for (; ch < c; ch++) {
      const o = <usize>ch << 2;
      const is = load<f32>(invstd + o);
      const xh = (load<f32>(xp + o) - load<f32>(mean + o)) * is;
      store<f32>(dp + o, load<f32>(gamma + o) * is * (load<f32>(gp + o) - load<f32>(dbeta + o) * inv - xh * load<f32>(dgamma + o) * inv));
    }
  }
}

// ---- piecewise-linear activations: 0 relu, 1 relu6, 2 hswish, 3 hsigmoid ----

export function activationForward(x: usize, y: usize, n: i32, kind: i32): void {
  const n4 = n & ~3;
  const zero = f32x4.splat(0);
  const three = f32x4.splat(3);
  const six = f32x4.splat(6);
  const sixth = f32x4.splat(<f32>(1.0 / 6.0));
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    let r: v128;
    if (kind == 0) r = f32x4.max(v, zero);
    else if (kind == 1) r = f32x4.min(f32x4.max(v, zero), six);
    else {
      const h = f32x4.mul(f32x4.min(f32x4.max(f32x4.add(v, three), zero), six), sixth);
      r = kind == 2 ? f32x4.mul(v, h) : h;
    }
    v128.store(y + o, r);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    let r: f32;
    if (kind == 0) r = v > 0 ? v : 0;
    else if (kind == 1) r = v < 0 ? 0 : v > 6 ? 6 : v;
    else {
      const t = v + 3;
      const h: f32 = (t < 0 ? 0 : t > 6 ? 6 : t) / 6;
      r = kind == 2 ? v * h : h;
    }
    store<f32>(y + o, r);
  }
}

/** dx = dy * f'(x); at the kinks the derivative of the right-hand piece (0 for relu at 0). */
export function activationBackward(dy: usize, x: usize, dx: usize, n: i32, kind: i32): void {
  const n4 = n & ~3;
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const three = f32x4.splat(3);
  const mthree = f32x4.splat(-3);
  const six = f32x4.splat(6);
  const sixth = f32x4.splat(<f32>(1.0 / 6.0));
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    let d: v128;
    if (kind == 0) d = v128.and(f32x4.gt(v, zero), one);
    else if (kind == 1) d = v128.and(v128.and(f32x4.gt(v, zero), f32x4.lt(v, six)), one);
    else if (kind == 2) {
      const mid = f32x4.mul(f32x4.add(f32x4.add(v, v), three), sixth);
      d = v128.bitselect(zero, v128.bitselect(one, mid, f32x4.gt(v, three)), f32x4.lt(v, mthree));
    } else d = v128.and(v128.and(f32x4.gt(v, mthree), f32x4.lt(v, three)), sixth);
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), d));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    let d: f32;
    if (kind == 0) d = v > 0 ? 1 : 0;
    else if (kind == 1) d = v > 0 && v < 6 ? 1 : 0;
    else if (kind == 2) d = v < -3 ? 0 : v > 3 ? 1 : (2 * v + 3) / 6;
    else d = v > -3 && v < 3 ? <f32>(1.0 / 6.0) : 0;
    store<f32>(dx + o, load<f32>(dy + o) * d);
  }
}

// ---- global average pooling over H, W of an NHWC tensor ----

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
 * 1x1 stride-1 filter gradient dW[ci,co] = sum_p x[p,ci] dy[p,co], tiled 4 input x 8 output channels in
 * registers over chunks of 256 pixels (the chunk stays in cache). Channel counts need not be multiples.
 */
export function conv1x1BackpropFilter(x: usize, dy: usize, dW: usize, pixels: i32, cin: i32, cout: i32): void {
  memory.fill(dW, 0, <usize>(cin * cout) << 2);
  const inRow = <usize>cin << 2;
  const outRow = <usize>cout << 2;
  const ci4 = cin & ~3;
  const co8 = cout & ~7;
  const CHUNK = 256;
  for (let p0 = 0; p0 < pixels; p0 += CHUNK) {
    const p1 = min(p0 + CHUNK, pixels);
    for (let ci = 0; ci < ci4; ci += 4) {
      for (let co = 0; co < co8; co += 8) {
        const w0 = dW + <usize>ci * outRow + (<usize>co << 2);
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
    // Edges: remaining input channels (all outputs) and remaining outputs of the tiled inputs.
    for (let p = p0; p < p1; p++) {
      const xp = x + <usize>p * inRow;
      const gp = dy + <usize>p * outRow;
      for (let ci = 0; ci < cin; ci++) {
        const xv = load<f32>(xp + (<usize>ci << 2));
        const wrow = dW + <usize>ci * outRow;
        const from = ci < ci4 ? co8 : 0;
        for (let co = from; co < cout; co++) {
          const o = <usize>co << 2;
          store<f32>(wrow + o, load<f32>(wrow + o) + xv * load<f32>(gp + o));
        }
      }
    }
  }
}

/**
 * 1x1 stride-1 input gradient dx[p,ci] = sum_co dy[p,co] w[ci,co], 4 pixels x 4 input channels of SIMD
 * dot products at a time.
 */
export function conv1x1BackpropInput(dy: usize, w: usize, dx: usize, pixels: i32, cin: i32, cout: i32): void {
  const outRow = <usize>cout << 2;
  const inRow = <usize>cin << 2;
  const p4 = pixels & ~3;
  const ci4 = cin & ~3;
  const co4 = cout & ~3;
  for (let p = 0; p < p4; p += 4) {
    const g0p = dy + <usize>p * outRow;
    for (let ci = 0; ci < ci4; ci += 4) {
      const w0p = w + <usize>ci * outRow;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
      let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s22 = f32x4.splat(0), s23 = f32x4.splat(0);
      let s30 = f32x4.splat(0), s31 = f32x4.splat(0), s32 = f32x4.splat(0), s33 = f32x4.splat(0);
      for (let co = 0; co < co4; co += 4) {
        const o = <usize>co << 2;
        const g0 = v128.load(g0p + o), g1 = v128.load(g0p + outRow + o), g2 = v128.load(g0p + 2 * outRow + o), g3 = v128.load(g0p + 3 * outRow + o);
        const w0 = v128.load(w0p + o), w1 = v128.load(w0p + outRow + o), w2 = v128.load(w0p + 2 * outRow + o), w3 = v128.load(w0p + 3 * outRow + o);
        s00 = f32x4.add(s00, f32x4.mul(g0, w0)); s01 = f32x4.add(s01, f32x4.mul(g0, w1)); s02 = f32x4.add(s02, f32x4.mul(g0, w2)); s03 = f32x4.add(s03, f32x4.mul(g0, w3));
        s10 = f32x4.add(s10, f32x4.mul(g1, w0)); s11 = f32x4.add(s11, f32x4.mul(g1, w1)); s12 = f32x4.add(s12, f32x4.mul(g1, w2)); s13 = f32x4.add(s13, f32x4.mul(g1, w3));
        s20 = f32x4.add(s20, f32x4.mul(g2, w0)); s21 = f32x4.add(s21, f32x4.mul(g2, w1)); s22 = f32x4.add(s22, f32x4.mul(g2, w2)); s23 = f32x4.add(s23, f32x4.mul(g2, w3));
        s30 = f32x4.add(s30, f32x4.mul(g3, w0)); s31 = f32x4.add(s31, f32x4.mul(g3, w1)); s32 = f32x4.add(s32, f32x4.mul(g3, w2)); s33 = f32x4.add(s33, f32x4.mul(g3, w3));
      }
      const d0 = dx + (<usize>(p * cin + ci) << 2);
      storeDots(d0, s00, s01, s02, s03, g0p, w0p, co4, cout, outRow, 0);
      storeDots(d0 + inRow, s10, s11, s12, s13, g0p + outRow, w0p, co4, cout, outRow, 0);
      storeDots(d0 + 2 * inRow, s20, s21, s22, s23, g0p + 2 * outRow, w0p, co4, cout, outRow, 0);
      storeDots(d0 + 3 * inRow, s30, s31, s32, s33, g0p + 3 * outRow, w0p, co4, cout, outRow, 0);
    }
    for (let r = 0; r < 4; r++) for (let ci = ci4; ci < cin; ci++) store<f32>(dx + (<usize>((p + r) * cin + ci) << 2), dot(g0p + <usize>r * outRow, w + <usize>ci * outRow, cout));
  }
  for (let p = p4; p < pixels; p++) for (let ci = 0; ci < cin; ci++) store<f32>(dx + (<usize>(p * cin + ci) << 2), dot(dy + <usize>p * outRow, w + <usize>ci * outRow, cout));
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Store four dot products (one pixel row against four filter rows), finishing the scalar tail. */
// @ts-ignore: decorator
@inline function storeDots(d: usize, s0: v128, s1: v128, s2: v128, s3: v128, g: usize, w: usize, co4: i32, cout: i32, outRow: usize, _u: i32): void {
  let t0 = hsum(s0), t1 = hsum(s1), t2 = hsum(s2), t3 = hsum(s3);
  for (let co = co4; co < cout; co++) {
    const o = <usize>co << 2;
    const gv = load<f32>(g + o);
    t0 += gv * load<f32>(w + o); t1 += gv * load<f32>(w + outRow + o); t2 += gv * load<f32>(w + 2 * outRow + o); t3 += gv * load<f32>(w + 3 * outRow + o);
  }
  store<f32>(d, t0); store<f32>(d + 4, t1); store<f32>(d + 8, t2); store<f32>(d + 12, t3);
}

function dot(a: usize, b: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) { const o = <usize>i << 2; acc = f32x4.add(acc, f32x4.mul(v128.load(a + o), v128.load(b + o))); }
  let s = hsum(acc);
  for (; i < n; i++) { const o = <usize>i << 2; s += load<f32>(a + o) * load<f32>(b + o); }
  return s;
}
