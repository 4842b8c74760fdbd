/**
 * @internal Source-text helpers shared by the windowed kernel builders (`conv.ts`, `pool.ts`): splitting
 * a flat spatial thread coordinate into per-axis coordinates, and placing a window tap on the input.
 * Every size is baked into the emitted source as a literal; spatial coordinates are decomposed with f32
 * `Math.floor`/`%`, exact while every index stays below 2^24 (the callers check).
 *
 * @since 0.3.0
 */
import type { Shape } from '../../../core/Shape.js'
import type { ConvGeometry, PoolGeometry } from '../../window.js'

/** Every multi-index of `dims`, row-major. */
export const allIndices = (dims: ReadonlyArray<number>): number[][] => {
  let acc: number[][] = [[]]
  for (const d of dims) acc = acc.flatMap((c) => Array.from({ length: d }, (_, i) => [...c, i]))
  return acc
}

/** `t · s` as source, '' when it vanishes. */
export const term = (t: string, s: number): string => (t === '' || t === '0' || s === 0 ? '' : s === 1 ? t : `${t} * ${s}`)

/** The sum of the non-empty `terms` plus `off`, as source ('0' when empty). */
export const sum = (terms: ReadonlyArray<string>, off = 0): string => {
  const ts = terms.filter((t) => t !== '')
  if (off !== 0) ts.push(String(off))
  return ts.length === 0 ? '0' : ts.join(' + ')
}

/** An integer literal, parenthesised when negative. */
export const lit = (v: number): string => (v < 0 ? `(${v})` : String(v))

/** A thread axis from `threadAxes`, or '0' where the axis was dropped (extent 1). */
export const axisOr0 = (t: string): string => (t === '' ? '0' : t)

/** Declarations splitting the flat spatial thread coordinate `p` into `name0…` over `O` (row-major; '0' for constant axes). */
export const splitSpatial = (p: string, O: ReadonlyArray<number>, st: ReadonlyArray<number>, name: string): { decl: string; c: string[] } => {
  let decl = ''
  const c: string[] = []
  O.forEach((od, d) => {
    if (p === '' || od === 1) {
      c.push('0')
      return
    }
    const v = `${name}${d}`
    let e: string
    if (d === 0) e = st[0] === 1 ? p : `Math.floor(${p} / ${st[0]})`
    else if (d === O.length - 1) e = `${p} % ${od}`
    else e = `Math.floor(${p} / ${st[d]}) % ${od}`
    decl += `const ${v} = ${e};\n`
    c.push(v)
  })
  return { decl, c }
}

/** Where a tap lands on one axis: the conditions for a real input entry, and the input coordinate. */
export interface TapAxis {
  readonly conds: string[]
  readonly i: string
}

/**
 * Where tap `k` of output coordinate `o` lands on axis `d`: the conditions for a real (unpadded,
 * undilated) input entry and the input coordinate expression, or null when it never does. Conditions
 * provably true are dropped.
 */
export const tapAxis = (o: string, od: number, k: number, S: number, stride: number, lo: number, ld: number, rd: number): TapAxis | null => {
  const off = k * rd - lo
  const hiPos = (S - 1) * ld
  if (o === '0') {
    // a single output position: decide now
    if (off < 0 || off > hiPos || off % ld !== 0) return null
    return { conds: [], i: String(off / ld) }
  }
  const pos = `${term(o, stride)}${off === 0 ? '' : ` + ${lit(off)}`}`
  const maxPos = (od - 1) * stride + off
  if (maxPos < 0 || off > hiPos) return null
  const conds: string[] = []
  if (off < 0) conds.push(`${pos} >= 0`)
  if (maxPos > hiPos) conds.push(`${pos} <= ${hiPos}`)
  if (ld === 1) return { conds, i: `(${pos})` }
  if (stride % ld !== 0) conds.push(`(${pos}) % ${ld} == 0`)
  else if (off % ld !== 0) return null
  return { conds, i: `((${pos}) / ${ld})` }
}

/** Every axis of a tap, or null when one never lands on the input (the tap contributes nothing). */
export const tapAxes = (maybe: ReadonlyArray<TapAxis | null>): TapAxis[] | null => (maybe.some((a) => a === null) ? null : (maybe as TapAxis[]))

/** `if (conds) {body}` (or a bare block when nothing needs checking). */
export const guarded = (conds: ReadonlyArray<string>, body: string): string => (conds.length === 0 ? `{\n${body}}\n` : `if (${conds.join(' && ')}) {\n${body}}\n`)

/** A cache-key fragment for shapes and a convolution's geometry. */
export const convGeomKey = (g: ConvGeometry, ...shapes: ReadonlyArray<Shape>): string =>
  `${shapes.map((s) => s.join(',')).join('|')}|${g.strides.join(',')}|${g.padding.map((p) => p.join(':')).join(',')}|${g.lhsDilation.join(',')}|${g.rhsDilation.join(',')}|${g.groups}`

/** A cache-key fragment for shapes and a pooling's geometry. */
export const poolGeomKey = (g: PoolGeometry, ...shapes: ReadonlyArray<Shape>): string =>
  `${shapes.map((s) => s.join(',')).join('|')}|${g.window.join(',')}|${g.strides.join(',')}|${g.padding.map((p) => p.join(':')).join(',')}`

/**
 * The sizes of a convolution of `x: xShape` with a kernel shaped `kernel` (`[K..., Cin / groups, Cout]`)
 * into `out` (`[N, O..., Cout]`): spatial input `S`, window `K` and output `O` extents, channels.
 */
export const convDims = (xShape: Shape, kernel: Shape, out: Shape) => {
  const r = xShape.length - 2
  return { S: xShape.slice(1, r + 1), K: kernel.slice(0, r), O: out.slice(1, r + 1), N: xShape[0], Cin: xShape[r + 1], Cig: kernel[r], Cout: kernel[r + 1] }
}
