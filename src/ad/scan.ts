/**
 * `scan`: a functional loop over the leading axis of a tree of tensors, with a gradient — `jax.lax.scan`.
 *
 * `scan(f, init, xs)` runs `[carry, y] = f(carry, x)` for every slice `x` of `xs` along axis 0 and
 * returns the final carry with the `y`s stacked along a new leading axis (`reverse: true` walks the
 * slices from the last to the first and still stores `ys[t]` at `t`).
 *
 * How it works. The body is recorded once per call: `f` runs on tracers of a fresh tag (zeros of the
 * carry and slice shapes) and every primitive bound at that tag is written into a small plan whose
 * inputs are the carry, the slice, and the tensors `f` closes over (weights; anything `f` computes
 * from those alone is computed once, outside the loop). The loop itself is then ONE primitive, `scan`,
 * whose kernel replays that plan over the steps. So:
 * - compiled mode (`jit`, `runEagerly: false`) records a scan as one step, however many time steps;
 * - its VJP is the reverse scan — another `scan` whose body is the VJP of the recorded body — written
 *   in differentiable operations, so second derivatives (and the VJP of the VJP …) work;
 * - the carries of the forward pass are kept as residuals for the backward pass.
 * A body that reads a value back to the host (`dataSync`, `item`) cannot be recorded; it then runs as
 * an unrolled loop of ordinary operations (same numbers, same gradients, just not one primitive).
 *
 * Laws (test/ad/scan.test.ts, laws/ops.ts): `scan` equals the unrolled loop; its VJP matches finite
 * differences; second derivatives; the gpu.js backend agrees with the float64 reference.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { Tensor, fill, allocFloat, type Buffer } from '../core/Tensor.js'
import * as Tree from '../core/Tree.js'
import type { Shape } from '../core/Shape.js'
import { size as sizeOf } from '../core/Shape.js'
import { type PrimitiveDef, bind, ok, shapeError } from '../primitives/bind.js'
import type { Backend, Later, Timing, View } from '../backend/Backend.js'
import { slice } from '../primitives/slice.js'
import { reshape } from '../primitives/reshape.js'
import { cast } from '../primitives/cast.js'
import { add } from '../primitives/add.js'
import { concat } from '../primitives/concat.js'
import { vjp } from './vjp.js'
import { fail, show, toTfError, type TfError } from '../core/errors.js'
import { type Body, type BRef, type Meta, metaOf, sameMeta, evalBody, record, checkTree } from './scanBody.js'
import { runBodyOf } from './scanFuse.js'

export type { Body } from './scanBody.js'

/** Options of {@link scan}. */
export interface ScanOptions {
  /** walk the slices from last to first (`ys[t]` still belongs to slice `t`) */
  readonly reverse?: boolean
  /** the number of steps, required only when `xs` has no leaves */
  readonly length?: number
}

/** @internal The parameters of the scan primitive. */
export interface ScanParams {
  readonly body: Body
  readonly length: number
  readonly reverse: boolean
  readonly carry: ReadonlyArray<Meta>
  /** per-step shapes of the slices */
  readonly xs: ReadonlyArray<Meta>
  readonly ext: ReadonlyArray<Meta>
  /** per-step shapes of the outputs */
  readonly ys: ReadonlyArray<Meta>
}

/** Offsets of the packed output: final carry, then stacked ys, then the stacked input carries (residuals). */
interface Layout {
  readonly carry: ReadonlyArray<number>
  readonly ys: ReadonlyArray<number>
  readonly res: ReadonlyArray<number>
  readonly total: number
}
const layoutOf = (p: ScanParams): Layout => {
  let off = 0
  const carry = p.carry.map((m) => {
    const o = off
    off += sizeOf(m.shape)
    return o
  })
  const ys = p.ys.map((m) => {
    const o = off
    off += p.length * sizeOf(m.shape)
    return o
  })
  const res = p.carry.map((m) => {
    const o = off
    off += p.length * sizeOf(m.shape)
    return o
  })
  return { carry, ys, res, total: off }
}
const layouts = new WeakMap<ScanParams, Layout>()
const layout = (p: ScanParams): Layout => {
  let l = layouts.get(p)
  if (l === undefined) {
    l = layoutOf(p)
    layouts.set(p, l)
  }
  return l
}

// ------------------------------------------------------------------ the kernel: replay the body over the steps

/**
 * Replay the body over the steps, on a backend of either timing: on a synchronous one it returns the
 * packed output; when a kernel of an asynchronous one returns a Promise, the loop continues after it.
 */
const runLoop = <R extends Timing>(be: Backend<R>, inputs: ReadonlyArray<View>, p: ScanParams): Later<R, Buffer> => {
  const { length: T, reverse } = p
  // the body pruned and its elementwise chains fused (the replay form; gradients use `p.body` itself)
  const body = runBodyOf(p.body)
  const nc = p.carry.length
  const nx = p.xs.length
  const lay = layout(p)
  const out = allocFloat(lay.total)
  let carry: Buffer[] = inputs.slice(0, nc).map((v) => v.data)
  const xsData = inputs.slice(nc, nc + nx).map((v) => v.data)
  const ext = inputs.slice(nc + nx).map((v) => v.data)
  const xSizes = p.xs.map((m) => sizeOf(m.shape))
  const cSizes = p.carry.map((m) => sizeOf(m.shape))
  const ySizes = p.ys.map((m) => sizeOf(m.shape))
  const env: Buffer[] = new Array(p.body.locals)
  let t = 0
  let xt: Buffer[] = []
  const get = (r: BRef): Buffer => (r.k === 'c' ? carry[r.i] : r.k === 'x' ? xt[r.i] : r.k === 'e' ? ext[r.i] : env[r.i])
  // from step s of the loop, body step i
  const from = (s0: number, i0: number): Buffer | Promise<Buffer> => {
    for (let s = s0, i = i0; s < T; s++, i = 0) {
      if (i === 0) {
        t = reverse ? T - 1 - s : s
        xt = xsData.map((d, k) => d.subarray(t * xSizes[k], (t + 1) * xSizes[k]))
        for (let k = 0; k < nc; k++) out.set(carry[k], lay.res[k] + t * cSizes[k])
      }
      for (; i < body.steps.length; i++) {
        const st = body.steps[i]
        const views: View[] = st.ins.map((r, j) => ({ data: get(r), shape: st.inShapes[j] }))
        const r: Buffer | Promise<Buffer> = st.kind === 'fused' ? be.fused(st.expr, views, st.shape) : st.def.impl(be, views, st.params, st.spec)
        if (r instanceof Promise) {
          const [sNow, iNow] = [s, i]
          return r.then((b) => ((env[st.out] = b), from(sNow, iNow + 1)))
        }
        env[st.out] = r
      }
      const next = body.outs.slice(0, nc).map(get)
      body.outs.slice(nc).forEach((r, j) => out.set(get(r), lay.ys[j] + t * ySizes[j]))
      carry = next
    }
    carry.forEach((c, k) => out.set(c, lay.carry[k]))
    return out
  }
  return from(0, 0) as Later<R, Buffer>
}

// ------------------------------------------------------------------ packing

const unpackPart = (packed: Tensor, off: number, shape: Shape): Tensor => reshape(slice(packed, [off], [sizeOf(shape)]), shape)

interface Unpacked {
  readonly carry: Tensor[]
  readonly ys: Tensor[]
  readonly res: Tensor[]
}
/** The parts of a packed scan output, all float32 (int32 leaves are cast back by the public `scan`). */
const unpack = (packed: Tensor, p: ScanParams): Unpacked => {
  const lay = layout(p)
  return {
    carry: p.carry.map((m, i) => unpackPart(packed, lay.carry[i], m.shape)),
    ys: p.ys.map((m, j) => unpackPart(packed, lay.ys[j], [p.length, ...m.shape])),
    res: p.carry.map((m, i) => unpackPart(packed, lay.res[i], [p.length, ...m.shape]))
  }
}

const floatIdx = (ms: ReadonlyArray<Meta>): number[] => ms.flatMap((m, i) => (m.dtype === 'float32' ? [i] : []))

// ------------------------------------------------------------------ the primitive

/** @internal The scan primitive: inputs are the carry leaves, the xs leaves and the closed-over tensors. */
export const scanDef: PrimitiveDef<ScanParams> = {
  name: 'scan',
  shapeRule: (inputs, p) => {
    const want = [...p.carry, ...p.xs.map((m) => ({ shape: [p.length, ...m.shape], dtype: m.dtype })), ...p.ext]
    if (inputs.length !== want.length) return shapeError('scan', `expected ${want.length} inputs, received ${inputs.length}`, want.length, inputs.length)
    for (let i = 0; i < want.length; i++)
      if (!sameMeta(metaOf(inputs[i]), want[i])) return shapeError('scan', `input ${i} has shape ${show(inputs[i].shape)} (${inputs[i].dtype}), the body was recorded for ${show(want[i].shape)} (${want[i].dtype})`, want[i], metaOf(inputs[i]))
    return ok([layout(p).total])
  },
  impl: (be, inputs, p) => runLoop(be, inputs, p),
  // the reverse scan: carry the cotangent of the carry (and sums of the closed-over tensors' cotangents)
  // backwards; each step is the VJP of the body at that step's carry and slice
  vjp: (ct, inputs, out, p) => {
    const nc = p.carry.length
    const nx = p.xs.length
    const xs = inputs.slice(nc, nc + nx)
    const ext = inputs.slice(nc + nx)
    const cts = unpack(ct, p)
    const outs = unpack(out, p)
    const fc = floatIdx(p.carry)
    const fx = floatIdx(p.xs)
    const fe = floatIdx(p.ext)
    const fy = floatIdx(p.ys)
    const body = (carry: { readonly dc: Tensor[]; readonly de: Tensor[] }, sl: { readonly x: Tensor[]; readonly c: Tensor[]; readonly dy: Tensor[]; readonly dr: Tensor[] }): [typeof carry, Tensor[]] => {
      const cIn = sl.c.map((v, i) => (p.carry[i].dtype === 'int32' ? cast(v, 'int32') : v))
      const f = (d: { readonly c: Tensor[]; readonly x: Tensor[]; readonly e: Tensor[] }): Tensor[] => {
        const c = cIn.slice()
        fc.forEach((i, j) => (c[i] = d.c[j]))
        const x = sl.x.slice()
        fx.forEach((i, j) => (x[i] = d.x[j]))
        const e = ext.slice()
        fe.forEach((i, j) => (e[i] = d.e[j]))
        const o = evalBody(p.body, c, x, e)
        return [...fc.map((i) => o[i]), ...fy.map((j) => o[nc + j])]
      }
      const [, pb] = vjp(f, { c: fc.map((i) => cIn[i]), x: fx.map((i) => sl.x[i]), e: fe.map((i) => ext[i]) })
      const g = pb([...carry.dc, ...sl.dy])
      return [{ dc: g.c.map((v, j) => add(v, sl.dr[j])), de: g.e.map((v, j) => add(v, carry.de[j])) }, g.x]
    }
    const [fin, dxs] = scan(
      body,
      { dc: fc.map((i) => cts.carry[i]), de: fe.map((i) => fill(p.ext[i].shape, 0)) },
      { x: xs, c: outs.res, dy: fy.map((j) => cts.ys[j]), dr: fc.map((i) => cts.res[i]) },
      { reverse: !p.reverse, length: p.length }
    )
    const res: Array<Tensor | undefined> = new Array(inputs.length).fill(undefined)
    fc.forEach((i, j) => (res[i] = fin.dc[j]))
    fx.forEach((i, j) => (res[nc + i] = dxs[j]))
    fe.forEach((i, j) => (res[nc + nx + i] = fin.de[j]))
    return res
  }
}

// the fallback: an unrolled loop of ordinary operations
const unrolled = <C extends Tree.Tree, Y extends Tree.Tree>(f: (c: C, x: Tree.Tree) => readonly [C, Y], init: C, xs: Tree.Tree, T: number, reverse: boolean): [C, Y] => {
  const xl = Tree.leaves(xs)
  const xSt = Tree.structure(xs)
  let c = init
  const ys: Y[] = new Array(T)
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s
    const x = Tree.unflatten(xSt, xl.map((l) => reshape(slice(l, [t, ...l.shape.slice(1).map(() => 0)], [1, ...l.shape.slice(1)]), l.shape.slice(1))))
    const r = f(c, x)
    c = r[0]
    ys[t] = r[1]
  }
  if (T === 0) return fail('InvalidArgument', 'scan: a zero-length scan needs a body that can be recorded (it read a value back to the host)', { op: 'scan' })
  const st = Tree.structure(ys[0])
  const leavesPerStep = ys.map((y) => Tree.leaves(y))
  const stacked = leavesPerStep[0].map((_, j) => concat(leavesPerStep.map((ls) => reshape(ls[j], [1, ...ls[j].shape])), 0))
  return [c, Tree.unflatten<Y>(st, stacked)]
}

/**
 * Scan `f` over the leading axis of `xs`, threading a carry: `jax.lax.scan`. Returns `[finalCarry, ys]`
 * with the per-step outputs stacked along a new leading axis. Differentiable (its VJP is the reverse
 * scan, itself differentiable); compiled mode records it as one step.
 * @example
 * const [total, prefix] = scan((c: Tensor, x: Tensor) => { const s = add(c, x); return [s, s] }, zeros([]), tensor([1, 2, 3]))
 * // total = 6, prefix = [1, 3, 6]
 */
export const scan = <C extends Tree.Tree, X extends Tree.Tree, Y extends Tree.Tree>(
  f: (carry: C, x: X) => readonly [C, Y],
  init: C,
  xs: X,
  opts: ScanOptions = {}
): [C, Y] => {
  const cSt = checkTree('init', init)
  const xSt = checkTree('xs', xs)
  const il = Tree.leaves(init)
  const xl = Tree.leaves(xs)
  if (xl.some((l) => l.shape.length === 0))
    fail('ShapeMismatch', 'scan: every leaf of xs needs a leading axis to scan over; received a scalar', { op: 'scan', expected: 'rank >= 1', actual: 0 })
  const T = xl.length > 0 ? xl[0].shape[0] : opts.length
  if (T === undefined || !Number.isInteger(T) || T < 0)
    return fail('InvalidArgument', `scan: xs has no leaves, so give the number of steps as { length }, received ${show(opts.length)}`, { op: 'scan', path: 'opts.length', expected: 'a non-negative integer', received: opts.length })
  const bad = xl.find((l) => l.shape[0] !== T)
  if (bad !== undefined)
    fail('ShapeMismatch', `scan: every leaf of xs must have the same leading length ${T}, received shape ${show(bad.shape)}`, { op: 'scan', expected: T, actual: bad.shape[0] })
  if (opts.length !== undefined && opts.length !== T)
    fail('ShapeMismatch', `scan: length ${opts.length} does not match the leading length ${T} of xs`, { op: 'scan', expected: T, actual: opts.length })
  const reverse = opts.reverse === true
  const cMeta = il.map(metaOf)
  const xMeta = xl.map((l) => ({ shape: l.shape.slice(1), dtype: l.dtype }))
  const rec = record(f as (c: Tree.Tree, x: Tree.Tree) => unknown, cMeta, cSt, xMeta, xSt)
  if (rec === 'impure') return unrolled(f as unknown as (c: C, x: Tree.Tree) => readonly [C, Y], init, xs, T, reverse)
  const params: ScanParams = { body: rec.body, length: T, reverse, carry: cMeta, xs: xMeta, ext: rec.ext.map(metaOf), ys: rec.outMeta }
  const packed = bind(scanDef, [...il, ...xl, ...rec.ext], params)
  const parts = unpack(packed, params)
  const back = (t: Tensor, m: Meta): Tensor => (m.dtype === 'int32' ? cast(t, 'int32') : t)
  const carry = Tree.unflatten<C>(rec.outStructure[0], parts.carry.map((t, i) => back(t, cMeta[i])))
  const ys = Tree.unflatten<Y>(rec.outStructure[1], parts.ys.map((t, j) => back(t, rec.outMeta[j])))
  return [carry, ys]
}

/** Either-returning {@link scan} for the functional surface. */
export const scanE = <C extends Tree.Tree, X extends Tree.Tree, Y extends Tree.Tree>(
  f: (carry: C, x: X) => readonly [C, Y],
  init: C,
  xs: X,
  opts: ScanOptions = {}
): E.Either<TfError, [C, Y]> => {
  try {
    return E.right(scan(f, init, xs, opts))
  } catch (err) {
    return E.left(toTfError(err))
  }
}
