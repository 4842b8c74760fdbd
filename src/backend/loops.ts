/**
 * Plain-loop kernels over flat row-major buffers, parameterised by the float array they write.
 * The float64 reference backend is these loops with Float64Array; the gpu.js backend uses them for
 * layout ops too large for exact float index math in a kernel (more than 2^24 elements).
 *
 * @since 0.1.0
 */
import type { Shape } from '../core/Shape.js'
import { size, strides } from '../core/Shape.js'
import type { Buffer, FloatBuffer } from '../core/Tensor.js'
import { fusedRead, type BinaryOp, type Expr, type ReduceOp, type UnaryOp, type View } from './Backend.js'

/** Which float array a set of loops writes. */
export type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor

export const unaryFn: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  tanh: Math.tanh,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  sin: Math.sin,
  cos: Math.cos,
  floor: Math.floor,
  identity: (x) => x
}

export const binaryFn: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (a >= b || Number.isNaN(a) ? a : b),
  minimum: (a, b) => (a <= b || Number.isNaN(a) ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0)
}

/** Strides of `inShape` seen from the (right-aligned, larger) `out` shape: 0 on broadcast axes. */
export const broadcastStrides = (inShape: Shape, out: Shape): number[] => {
  const st = strides(inShape)
  const off = out.length - inShape.length
  return out.map((_, i) => (i < off || inShape[i - off] === 1 ? 0 : st[i - off]))
}

/** Index map: for each flat output index, the flat input index under broadcasting. */
export const broadcastIndex = (inShape: Shape, out: Shape): Int32Array | null => {
  const n = size(out)
  if (size(inShape) === n) return null
  const bs = broadcastStrides(inShape, out)
  const idx = new Int32Array(n)
  const rank = out.length
  const counter = new Array<number>(rank).fill(0)
  let p = 0
  for (let i = 0; i < n; i++) {
    idx[i] = p
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++
      p += bs[d]
      if (counter[d] < out[d]) break
      p -= bs[d] * counter[d]
      counter[d] = 0
    }
  }
  return idx
}

/** Replacements for some of `unaryFn`, read at each call (see `makeLoops`). */
export type UnaryOverrides = () => Partial<Record<UnaryOp, (x: number) => number>> | undefined

/**
 * The loops writing `F`. `overrides` names unary functions computed otherwise than `unaryFn` — the gpu.js
 * backend's bit-exact mirrors of its kernels' inline exp and tanh — in `unary` and `fused` alike.
 */
export const makeLoops = (F: FloatCtor, overrides: UnaryOverrides = () => undefined) => {
  // the merged table is rebuilt only when the overrides object changes (a compiled step calls this per kernel)
  let lastOverrides: ReturnType<UnaryOverrides> | undefined
  let merged: Record<UnaryOp, (x: number) => number> = unaryFn
  const fns = (): Record<UnaryOp, (x: number) => number> => {
    const o = overrides()
    if (o === undefined) return unaryFn
    if (o !== lastOverrides) {
      lastOverrides = o
      merged = { ...unaryFn, ...o }
    }
    return merged
  }
  const round = F === Float32Array ? Math.fround : (x: number): number => x
  // each expression's interpreter, built once per function table (a compiled plan replays the same Expr objects)
  const evaluators = new WeakMap<Expr, { readonly table: Record<UnaryOp, (x: number) => number>; readonly ev: (read: (k: number) => number) => number }>()
  const evaluator = (expr: Expr): ((read: (k: number) => number) => number) => {
    const table = fns()
    const hit = evaluators.get(expr)
    if (hit !== undefined && hit.table === table) return hit.ev
    const ev = evalExpr(expr, round, table)
    evaluators.set(expr, { table, ev })
    return ev
  }
  const unary = (op: UnaryOp, x: View): FloatBuffer => {
    const f = fns()[op]
    const n = x.data.length
    const out = new F(n)
    for (let i = 0; i < n; i++) out[i] = f(x.data[i])
    return out
  }
  const binary = (op: BinaryOp, a: View, b: View, outShape: Shape): FloatBuffer => {
    const f = binaryFn[op]
    const n = size(outShape)
    const out = new F(n)
    const ia = broadcastIndex(a.shape, outShape)
    const ib = broadcastIndex(b.shape, outShape)
    const ad = a.data
    const bd = b.data
    for (let i = 0; i < n; i++) out[i] = f(ad[ia ? ia[i] : i], bd[ib ? ib[i] : i])
    return out
  }
  const where = (c: View, a: View, b: View, outShape: Shape): FloatBuffer => {
    const n = size(outShape)
    const out = new F(n)
    const ic = broadcastIndex(c.shape, outShape)
    const ia = broadcastIndex(a.shape, outShape)
    const ib = broadcastIndex(b.shape, outShape)
    for (let i = 0; i < n; i++) out[i] = c.data[ic ? ic[i] : i] !== 0 ? a.data[ia ? ia[i] : i] : b.data[ib ? ib[i] : i]
    return out
  }
  const matmul = (a: Buffer, b: Buffer, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): FloatBuffer => {
    const out = new F(batch * m * n)
    const acc = new Float64Array(n)
    for (let bt = 0; bt < batch; bt++) {
      const ao = bt * m * k
      const bo = bt * k * n
      for (let i = 0; i < m; i++) {
        acc.fill(0)
        for (let p = 0; p < k; p++) {
          const av = transA ? a[ao + p * m + i] : a[ao + i * k + p]
          if (av === 0) continue
          if (transB) for (let j = 0; j < n; j++) acc[j] += av * b[bo + j * k + p]
          else {
            const row = bo + p * n
            for (let j = 0; j < n; j++) acc[j] += av * b[row + j]
          }
        }
        const oo = bt * m * n + i * n
        for (let j = 0; j < n; j++) out[oo + j] = acc[j]
      }
    }
    return out
  }
  /** Reduce after moving `axes` last: out[o] = op over inner block. */
  const reduce = (op: ReduceOp, x: View, axes: ReadonlyArray<number>): FloatBuffer => {
    const rank = x.shape.length
    const keep = Array.from({ length: rank }, (_, i) => i).filter((i) => !axes.includes(i))
    const perm = [...keep, ...axes]
    const moved = isIdentity(perm) ? x.data : transpose(x, perm)
    const inner = axes.reduce((p, a) => p * x.shape[a], 1)
    const outer = keep.reduce((p, a) => p * x.shape[a], 1)
    const out = new F(outer)
    for (let o = 0; o < outer; o++) {
      const base = o * inner
      if (op === 'sum') {
        let s = 0
        for (let i = 0; i < inner; i++) s += moved[base + i]
        out[o] = s
      } else {
        let m = -Infinity
        for (let i = 0; i < inner; i++) {
          const v = moved[base + i]
          if (v > m || Number.isNaN(v)) m = v
          if (Number.isNaN(m)) break
        }
        out[o] = m
      }
    }
    return out
  }
  const argmax = (x: View, axis: number): Int32Array => {
    const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1)
    const len = x.shape[axis]
    const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1)
    const out = new Int32Array(outer * inner)
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        let best = 0
        let bv = -Infinity
        for (let j = 0; j < len; j++) {
          const v = x.data[o * len * inner + j * inner + i]
          if (v > bv) {
            bv = v
            best = j
          }
        }
        out[o * inner + i] = best
      }
    return out
  }
  const like = (x: Buffer, n: number): Buffer => (x instanceof Int32Array ? new Int32Array(n) : new F(n))
  const transpose = (x: View, perm: ReadonlyArray<number>): Buffer => {
    const inSt = strides(x.shape)
    const outShape = perm.map((p) => x.shape[p])
    const n = size(outShape)
    const out = like(x.data, n)
    const rank = perm.length
    const st = perm.map((p) => inSt[p])
    const counter = new Array<number>(rank).fill(0)
    let p = 0
    for (let i = 0; i < n; i++) {
      out[i] = x.data[p]
      for (let d = rank - 1; d >= 0; d--) {
        counter[d]++
        p += st[d]
        if (counter[d] < outShape[d]) break
        p -= st[d] * counter[d]
        counter[d] = 0
      }
    }
    return out
  }
  const broadcastTo = (x: View, outShape: Shape): Buffer => {
    const idx = broadcastIndex(x.shape, outShape)
    const n = size(outShape)
    const out = like(x.data, n)
    for (let i = 0; i < n; i++) out[i] = x.data[idx ? idx[i] : i]
    return out
  }
  const slice = (x: View, begin: ReadonlyArray<number>, sz: ReadonlyArray<number>): Buffer => {
    const st = strides(x.shape)
    const n = size(sz)
    const out = like(x.data, n)
    const rank = sz.length
    const counter = new Array<number>(rank).fill(0)
    let p = begin.reduce((acc, b, i) => acc + b * st[i], 0)
    for (let i = 0; i < n; i++) {
      out[i] = x.data[p]
      for (let d = rank - 1; d >= 0; d--) {
        counter[d]++
        p += st[d]
        if (counter[d] < sz[d]) break
        p -= st[d] * counter[d]
        counter[d] = 0
      }
    }
    return out
  }
  const gather = (x: View, indices: Int32Array, axis: number): Buffer => {
    const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1)
    const len = x.shape[axis]
    const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1)
    const out = like(x.data, outer * indices.length * inner)
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < indices.length; j++) {
        const src = (o * len + indices[j]) * inner
        const dst = (o * indices.length + j) * inner
        for (let i = 0; i < inner; i++) out[dst + i] = x.data[src + i]
      }
    return out
  }
  const scatterAdd = (u: View, indices: Int32Array, axis: number, outShape: Shape): FloatBuffer => {
    const outer = outShape.slice(0, axis).reduce((p, d) => p * d, 1)
    const len = outShape[axis]
    const inner = outShape.slice(axis + 1).reduce((p, d) => p * d, 1)
    const out = new F(size(outShape))
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < indices.length; j++) {
        const dst = (o * len + indices[j]) * inner
        const src = (o * indices.length + j) * inner
        for (let i = 0; i < inner; i++) out[dst + i] += u.data[src + i]
      }
    return out
  }
  const concat = (xs: ReadonlyArray<View>, axis: number): Buffer => {
    const outer = xs[0].shape.slice(0, axis).reduce((p, d) => p * d, 1)
    const blocks = xs.map((x) => x.shape.slice(axis).reduce((p, d) => p * d, 1))
    const total = blocks.reduce((a, b) => a + b, 0)
    const out = like(xs[0].data, outer * total)
    for (let o = 0; o < outer; o++) {
      let off = o * total
      xs.forEach((x, k) => {
        const bl = blocks[k]
        out.set(x.data.subarray(o * bl, o * bl + bl), off)
        off += bl
      })
    }
    return out
  }
  const pad = (x: View, paddings: ReadonlyArray<readonly [number, number]>, value: number): Buffer => {
    const outShape = x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1])
    const n = size(outShape)
    const out = like(x.data, n)
    out.fill(value)
    const ost = strides(outShape)
    const m = size(x.shape)
    const rank = x.shape.length
    const counter = new Array<number>(rank).fill(0)
    let p = paddings.reduce((acc, pd, i) => acc + pd[0] * ost[i], 0)
    for (let i = 0; i < m; i++) {
      out[p] = x.data[i]
      for (let d = rank - 1; d >= 0; d--) {
        counter[d]++
        p += ost[d]
        if (counter[d] < x.shape[d]) break
        p -= ost[d] * counter[d]
        counter[d] = 0
      }
    }
    return out
  }
  const toFloat = (x: Buffer): FloatBuffer => (x instanceof F ? (x as FloatBuffer) : F.from(x))
  const fused = (expr: Expr, inputs: ReadonlyArray<View>, outShape: Shape): FloatBuffer => {
    const n = size(outShape)
    const out = new F(n)
    // each step rounded to the storage, as the unfused ops store each result (eager and replay agree bit for bit)
    const ev = evaluator(expr)
    const datas = inputs.map((v) => v.data)
    // per input, the element cell i reads (integer math in doubles: exact at any size)
    const at = inputs.map((v): ((i: number) => number) => {
      const r = fusedRead(v.shape, outShape)
      if (r === undefined) throw new Error(`internal: a fused input of shape [${v.shape.join(',')}] is not readable over [${outShape.join(',')}]`)
      if (r.k === 'full') return (i) => i
      if (r.k === 'scalar') return () => 0
      const inner = r.inner
      return r.k === 'suffix' ? (i) => i % inner : (i) => Math.floor(i / inner)
    })
    let i = 0
    const read = (k: number): number => datas[k][at[k](i)]
    for (; i < n; i++) out[i] = ev(read)
    return out
  }
  return { unary, binary, where, matmul, reduce, argmax, transpose, broadcastTo, slice, gather, scatterAdd, concat, pad, toFloat, fused }
}

/**
 * An interpreter for fused expressions: `read(k)` gives input k's value at the current element. Every
 * constant and intermediate goes through `round` (`Math.fround` for float32 storage): a fused chain then
 * gives the bits the same ops give one by one, each storing its result.
 */
export const evalExpr = (
  e: Expr,
  round: (x: number) => number = (x) => x,
  fns: Record<UnaryOp, (x: number) => number> = unaryFn
): ((read: (k: number) => number) => number) => {
  switch (e.k) {
    case 'in':
      return (read) => read(e.i)
    case 'const': {
      const v = round(e.v)
      return () => v
    }
    case 'un': {
      const f = fns[e.op]
      const x = evalExpr(e.x, round, fns)
      return (read) => round(f(x(read)))
    }
    case 'bin': {
      const f = binaryFn[e.op]
      const a = evalExpr(e.a, round, fns)
      const b = evalExpr(e.b, round, fns)
      return (read) => round(f(a(read), b(read)))
    }
    case 'where': {
      const c = evalExpr(e.c, round, fns)
      const a = evalExpr(e.a, round, fns)
      const b = evalExpr(e.b, round, fns)
      return (read) => (c(read) !== 0 ? a(read) : b(read))
    }
  }
}

export const isIdentity = (perm: ReadonlyArray<number>): boolean => perm.every((p, i) => p === i)
