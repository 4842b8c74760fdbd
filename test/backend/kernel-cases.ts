/** Every kernel kind the gpu.js backend makes, for the code-generator extension tests (bit-identity on/off). */
import type { Backend, View } from '../../src/backend/Backend.js'
import { convOutShape, poolOutShape, type ConvGeometry, type PoolGeometry } from '../../src/backend/window.js'

let seed = 12345
export const rnd = (n: number): Float32Array => {
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0
    out[i] = (seed / 2 ** 32) * 4 - 2
  }
  // some exact ties, zeros, infinities and NaNs: the bit patterns must travel unchanged
  if (n > 8) {
    out[1] = out[0]
    out[3] = 0
    out[5] = Number.NaN
    out[7] = -Infinity
  }
  return out
}
const v = (shape: ReadonlyArray<number>): View => ({ data: rnd(shape.reduce((a, b) => a * b, 1)), shape })

/** Every kernel kind the backend makes, on shapes that hit both SIMD quads and scalar tails. */
export const cases = (): Array<[string, (be: Backend) => ArrayLike<number>]> => {
  const a = v([6, 37])
  const b = v([6, 37])
  const row = v([37])
  const col = v([6, 1])
  const narrow = v([37, 5])
  const narrowCol = v([37, 1])
  const c5row = v([5])
  const s = v([1])
  const big = v([3, 41, 64])
  const cg: ConvGeometry = { strides: [1, 2], padding: [[1, 1], [0, 1]], lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 }
  const cx = v([2, 9, 10, 3])
  const cw = v([3, 3, 3, 8])
  const cout = convOutShape(cx.shape, cw.shape, cg)
  const pg: PoolGeometry = { window: [2, 3], strides: [2, 2], padding: [[0, 1], [1, 1]] }
  const pout = poolOutShape(cx.shape, pg)
  const pct = v(pout)
  const upd = v([3, 4, 64])
  const c5 = v([6, 5])
  const cct = v(cout)
  const xct = v(cx.shape)
  const mm = (m: number, k: number, n: number, ta: boolean, tb: boolean, batch = 1): [string, (be: Backend) => ArrayLike<number>] => {
    const A = rnd(batch * m * k)
    const B = rnd(batch * k * n)
    return [`matmul ${batch}x${m}x${k}x${n} ${ta ? 't' : 'n'}${tb ? 't' : 'n'}`, (be) => be.matmul(A, B, batch, m, k, n, ta, tb)]
  }
  return [
    ['unary exp', (be) => be.unary('exp', a)],
    ['binary vv', (be) => be.binary('sub', a, b, [6, 37])],
    ['binary vs', (be) => be.binary('mul', a, s, [6, 37])],
    ['binary broadcast row', (be) => be.binary('add', a, row, [6, 37])],
    ['where', (be) => be.where(a, b, s, [6, 37])],
    ['fused suffix', (be) => be.fused({ k: 'bin', op: 'add', a: { k: 'un', op: 'tanh', x: { k: 'in', i: 0 } }, b: { k: 'in', i: 1 } }, [a, row], [6, 37])],
    // a row broadcast and a suffix on one split (2-D: thread ids), and on a narrow one (1-D: floor, %)
    ['fused row + suffix', (be) => be.fused({ k: 'bin', op: 'mul', a: { k: 'bin', op: 'sub', a: { k: 'in', i: 0 }, b: { k: 'in', i: 1 } }, b: { k: 'in', i: 2 } }, [a, col, row], [6, 37])],
    ['fused row narrow', (be) => be.fused({ k: 'bin', op: 'div', a: { k: 'in', i: 0 }, b: { k: 'bin', op: 'add', a: { k: 'in', i: 1 }, b: { k: 'in', i: 2 } } }, [narrow, narrowCol, c5row], [37, 5])],
    mm(33, 40, 36, false, false),
    mm(33, 40, 36, true, false),
    mm(33, 40, 36, false, true),
    mm(33, 40, 36, true, true),
    mm(7, 13, 64, false, false, 3),
    mm(64, 64, 64, false, false),
    // register-blocked shapes (m % 4 == 0, n >= 4): odd k (a tail step), n not a multiple of 4, batches
    mm(36, 41, 40, false, false),
    mm(36, 41, 40, true, false),
    mm(36, 41, 40, false, true),
    mm(36, 41, 40, true, true),
    mm(8, 9, 6, false, false, 3),
    mm(4, 1, 5, true, false, 2),
    ['reduce sum middle', (be) => be.reduce('sum', big, [1])],
    ['reduce max last', (be) => be.reduce('max', big, [2])],
    ['reduce sum long', (be) => be.reduce('sum', { data: rnd(3000), shape: [3000] }, [0])],
    ['argmax', (be) => be.argmax(big, 1)],
    ['transpose', (be) => be.transpose(big, [2, 0, 1])],
    ['broadcastTo', (be) => be.broadcastTo(row, [5, 37])],
    ['slice', (be) => be.slice(big, [1, 3, 4], [2, 30, 53])],
    ['gather', (be) => be.gather(big, Int32Array.from([2, 0, 40, 7]), 1)],
    ['scatterAdd', (be) => be.scatterAdd(upd, Int32Array.from([2, 0, 2, 7]), 1, [3, 41, 64])],
    ['concat', (be) => be.concat([a, b, c5], 1)],
    ['pad', (be) => be.pad(big, [[0, 1], [2, 0], [3, 5]], 0.5)],
    ['toFloat', (be) => be.toFloat(Int32Array.from({ length: 77 }, (_, i) => i * 3 - 50))],
    ['conv', (be) => be.conv(cx, cw, cg, cout)],
    ['convKernelGrad', (be) => be.convKernelGrad(cx, cct, cg, cw.shape)],
    ['pool max', (be) => be.pool('max', cx, pg, pout)],
    ['pool avg', (be) => be.pool('avg', cx, pg, pout)],
    ['poolRoute scatter', (be) => be.poolRoute('max', 'scatter', cx, { data: be.pool('max', cx, pg, pout) as Float32Array, shape: pout }, pct, pg)],
    ['poolRoute gather', (be) => be.poolRoute('avg', 'gather', cx, { data: be.pool('avg', cx, pg, pout) as Float32Array, shape: pout }, xct, pg)],
    ['softmaxXent', (be) => be.softmaxXent(a, b)],
    ['softmaxXentGrad logits', (be) => be.softmaxXentGrad('logits', a, b, col)],
    ['softmaxXentGrad labels', (be) => be.softmaxXentGrad('labels', narrow, narrow, narrowCol)]
  ]
}


/** The bit patterns of float32 values (NaN payloads included). */
export const bits = (x: ArrayLike<number>): number[] => Array.from(new Uint32Array(Float32Array.from(x).buffer))
