/**
 * @internal Contiguous lane loads for gpu.js's WebAssembly SIMD code generator — a small, self-contained
 * extension of `WebAssemblyFunctionNode` (gpu.js 2.24.1), installed once at start-up.
 *
 * gpu.js's SIMD walk (`kernel_simd`) runs four adjacent `this.thread.x` cells per step and reads every
 * lane-varying array element with `vGather`: an i32x4 index, a clamp into the array, then four scalar
 * `f32.load`s and three lane inserts — even when the four lanes read four adjacent floats
 * (`b[k * n + this.thread.x]`, `a[this.thread.x]`). This extension replaces `vGather` by a version that
 * first looks at the index expression:
 *
 * - when it is provably `U + this.thread.x` — a sum/difference of lane-uniform integer terms and one
 *   `+ this.thread.x`, every node on the way typed Integer so gpu.js evaluates it in i32 — it computes
 *   `U` once as a scalar i32 (the same terms, emitted by gpu.js's own scalar walk in the same state)
 *   and loads the four lanes with one `v128.load` at `U + thread.x(lane 0)`;
 * - the bounds check is hoisted to compile time where an interval analysis proves the quad in bounds
 *   (thread ids, literals, and counters of `for` loops with literal start, bound and step); otherwise
 *   one unsigned compare picks the `v128.load` or, for a quad that is not wholly inside the array, the
 *   original gather (with its clamp);
 * - anything else goes to the original `vGather`, untouched.
 *
 * Bit-identical by construction: i32 addition wraps the same in any order, so the scalar index equals
 * lane 0's index of the gather and lanes 1–3 are that plus 1–3; when every lane is in range the gather's
 * clamp is the identity; `v128.load` and `f32.load` + `replace_lane` move the same bit patterns (no NaN
 * canonicalization). Outputs were already written with one `v128.store` by gpu.js.
 *
 * Version check: the extension is written against gpu.js 2.24.1's internals (`vGather`, `vEmitIndex`,
 * `vInfo.exprVarying`, `assembler.layout`). `installContiguousLoads` refuses — with a reason the caller
 * logs once — when the version it is given is another one or those internals are missing; gpu.js then
 * generates kernels exactly as shipped.
 *
 * @since 0.2.0
 */
import type { WasmEmitter } from './wasm-emitter.js'

/** The gpu.js version this extension was written and tested for. */
export const CONTIGUOUS_LOADS_GPUJS_VERSION = '2.24.1'

/** What installing the extension did. */
export type ContiguousLoadsInstall = { readonly ok: true } | { readonly ok: false; readonly reason: string }

/** The loose shape of a gpu.js AST node (ESTree, from acorn). */
interface Ast {
  readonly type: string
  readonly [k: string]: unknown
}
type Interval = readonly [number, number]
type Env = ReadonlyMap<string, Interval>

/** The slice of gpu.js's wasm emitter this extension uses. */
type Emitter = WasmEmitter
interface Layout {
  readonly offset: number
  readonly flatLength: number
}
interface Node {
  em: Emitter
  output: number[]
  assembler: { layout: Record<string, Record<string, Layout | undefined>>; globals: { threadX: number } }
  vInfo: { exprVarying(n: unknown): boolean }
  getJsAST(): Ast
  getType(n: unknown): string
  expression(n: unknown): string
  coerce(from: string, to: string): void
  pushState(s: string): void
  popState(s: string): void
  _tfLoopEnv?: WeakMap<object, Env>
  _tfConstRanges?: Map<string, Interval>
}
type VGather = (this: Node, table: string, name: string, x: Ast, y: Ast | undefined | null, z: Ast | undefined | null, m: Ast) => string

let enabled = true
/** Turn the extension's code paths on or off for kernels compiled from now on (for A/B measurement and tests). */
export const setContiguousLoads = (on: boolean): void => {
  enabled = on
}
/** Whether kernels compiled now use contiguous loads. */
export const contiguousLoadsEnabled = (): boolean => enabled

/** How many loads the last kernels compiled emitted each way (diagnostics for tests). */
export const contiguousLoadStats = { proven: 0, checked: 0, gathered: 0 }

const isThreadX = (n: Ast): boolean => {
  if (n.type !== 'MemberExpression' || n.computed === true) return false
  const obj = n.object as Ast
  const prop = n.property as Ast
  return (
    prop.type === 'Identifier' &&
    prop.name === 'x' &&
    obj.type === 'MemberExpression' &&
    obj.computed !== true &&
    (obj.property as Ast).type === 'Identifier' &&
    (obj.property as Ast).name === 'thread'
  )
}
const threadAxis = (n: Ast): number => {
  if (n.type !== 'MemberExpression' || n.computed === true) return -1
  const obj = n.object as Ast
  if (obj.type !== 'MemberExpression' || obj.computed === true || (obj.property as Ast).name !== 'thread') return -1
  return ['x', 'y', 'z'].indexOf((n.property as Ast).name as string)
}

const INTEGER_KEYS = new Set(['Integer & Integer', 'Integer & LiteralInteger', 'LiteralInteger & Integer'])

/**
 * Split an index into `Σ sign·uniformTerm + this.thread.x`, following only `+`/`-` nodes gpu.js
 * evaluates in i32. Returns null when the index has another form.
 */
const decompose = (node: Node, ast: Ast): Array<{ readonly term: Ast; readonly sign: 1 | -1; readonly literalSide: boolean }> | null => {
  const terms: Array<{ term: Ast; sign: 1 | -1; literalSide: boolean }> = []
  let lanes = 0
  const walk = (n: Ast, sign: 1 | -1): boolean => {
    if (isThreadX(n)) {
      lanes++
      return sign === 1
    }
    if (n.type !== 'BinaryExpression' || (n.operator !== '+' && n.operator !== '-')) return false
    const l = n.left as Ast
    const r = n.right as Ast
    const lt = node.getType(l)
    const rt = node.getType(r)
    if (!INTEGER_KEYS.has(`${lt} & ${rt}`)) return false
    const lv = node.vInfo.exprVarying(l)
    const rv = node.vInfo.exprVarying(r)
    const rs: 1 | -1 = n.operator === '-' ? (sign === 1 ? -1 : 1) : sign
    if (lv && !rv) {
      terms.push({ term: r, sign: rs, literalSide: rt === 'LiteralInteger' })
      return walk(l, sign)
    }
    if (rv && !lv && n.operator === '+') {
      terms.push({ term: l, sign, literalSide: lt === 'LiteralInteger' })
      return walk(r, sign)
    }
    return false
  }
  if (node.getType(ast) !== 'Integer') return null
  return walk(ast, 1) && lanes === 1 ? terms : null
}

/** Interval of a uniform integer expression, or null when unknown. */
const range = (node: Node, n: Ast, env: Env): Interval | null => {
  switch (n.type) {
    case 'Literal':
      return typeof n.value === 'number' && Number.isInteger(n.value) ? [n.value, n.value] : null
    case 'Identifier':
      return env.get(n.name as string) ?? null
    case 'MemberExpression': {
      const axis = threadAxis(n)
      // thread.x here is lane 0 of a quad (quads never cross an x-row); y and z are whole rows
      if (axis === 0) return [0, node.output[0] - 4]
      if (axis > 0) return axis < node.output.length ? [0, node.output[axis] - 1] : [0, 0]
      return null
    }
    case 'BinaryExpression': {
      const a = range(node, n.left as Ast, env)
      const b = range(node, n.right as Ast, env)
      if (a === null || b === null) return null
      switch (n.operator) {
        case '+':
          return [a[0] + b[0], a[1] + b[1]]
        case '-':
          return [a[0] - b[1], a[1] - b[0]]
        case '*': {
          const p = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]]
          return [Math.min(...p), Math.max(...p)]
        }
        case '|':
          // (k|0) of an integer in i32 range is itself
          return b[0] === 0 && b[1] === 0 && a[0] >= -(2 ** 31) && a[1] < 2 ** 31 ? a : null
        default:
          return null
      }
    }
    default:
      return null
  }
}

const num = (n: unknown): number | null => {
  const a = n as Ast
  if (a?.type === 'Literal' && typeof a.value === 'number' && Number.isInteger(a.value)) return a.value
  if (a?.type === 'UnaryExpression' && a.operator === '-') {
    const v = num(a.argument)
    return v === null ? null : -v
  }
  return null
}

/** Whether `name` is assigned or updated anywhere in `n` (other than by its own loop's update). */
const assigns = (n: unknown, name: string): boolean => {
  if (n === null || typeof n !== 'object') return false
  if (Array.isArray(n)) return n.some((c) => assigns(c, name))
  const a = n as Ast
  if ((a.type === 'AssignmentExpression' && (a.left as Ast).type === 'Identifier' && (a.left as Ast).name === name) || (a.type === 'UpdateExpression' && (a.argument as Ast).type === 'Identifier' && (a.argument as Ast).name === name))
    return true
  for (const k of Object.keys(a)) if (k !== 'parent' && k !== 'loc' && assigns(a[k], name)) return true
  return false
}

/**
 * The counter interval of `for (let k = A; k < B (or <=); k++ / k += C)` with literal A, B, C > 0 and no
 * other assignment to k: [A, last value taken].
 */
const loopCounter = (f: Ast): { readonly name: string; readonly iv: Interval } | null => {
  const init = f.init as Ast | null
  if (init?.type !== 'VariableDeclaration' || (init.declarations as Ast[]).length !== 1) return null
  const decl = (init.declarations as Ast[])[0]
  const name = (decl.id as Ast).name as string
  const a = num(decl.init)
  const test = f.test as Ast | null
  if (a === null || test?.type !== 'BinaryExpression' || (test.left as Ast).type !== 'Identifier' || (test.left as Ast).name !== name) return null
  const bound = num(test.right)
  if (bound === null || (test.operator !== '<' && test.operator !== '<=')) return null
  const last = test.operator === '<' ? bound - 1 : bound
  const up = f.update as Ast | null
  let step: number | null = null
  if (up?.type === 'UpdateExpression' && up.operator === '++' && (up.argument as Ast).name === name) step = 1
  if (up?.type === 'AssignmentExpression' && up.operator === '+=' && (up.left as Ast).name === name) step = num(up.right)
  if (step === null || step <= 0 || assigns(f.body, name)) return null
  if (last < a) return { name, iv: [a, a] } // never runs; any value is fine
  return { name, iv: [a, a + Math.floor((last - a) / step) * step] }
}

/** For every node of the kernel body: the intervals of the loop counters in scope there. */
const loopEnvs = (root: Ast): WeakMap<object, Env> => {
  const out = new WeakMap<object, Env>()
  const walk = (n: unknown, env: Env): void => {
    if (n === null || typeof n !== 'object') return
    if (Array.isArray(n)) return n.forEach((c) => walk(c, env))
    const a = n as Ast
    let inner = env
    if (a.type === 'ForStatement') {
      const c = loopCounter(a)
      const m = new Map(env)
      // a counter we cannot bound shadows any outer one of the same name
      const declared = ((a.init as Ast | null)?.declarations as Ast[] | undefined)?.map((d) => (d.id as Ast).name as string) ?? []
      declared.forEach((d) => m.delete(d))
      if (c !== null) m.set(c.name, c.iv)
      inner = m
    } else if (a.type === 'VariableDeclarator' && (a.id as Ast).type === 'Identifier' && env.has((a.id as Ast).name as string)) {
      // a nested declaration of the same name shadows the counter (conservatively, from here on)
      const m = new Map(env)
      m.delete((a.id as Ast).name as string)
      inner = m
    }
    out.set(a, inner)
    for (const k of Object.keys(a)) if (k !== 'parent' && k !== 'loc') walk(a[k], inner)
  }
  walk(root, new Map())
  return out
}

/**
 * Intervals of the kernel's constant integer locals (`const ab = this.thread.y * 512`): declared once,
 * never assigned, with an initializer whose interval is known where it stands. Such a local only reaches
 * an index as an integer when it is an i32 local (see `integer-locals.ts`); then its value is its
 * initializer's.
 */
const constRanges = (node: Node, root: Ast, envs: WeakMap<object, Env>): Map<string, Interval> => {
  const decls: Ast[] = []
  const count = new Map<string, number>()
  const walk = (n: unknown): void => {
    if (n === null || typeof n !== 'object') return
    if (Array.isArray(n)) return n.forEach(walk)
    const a = n as Ast
    if (a.type === 'VariableDeclarator' && (a.id as Ast).type === 'Identifier') {
      decls.push(a)
      const name = (a.id as Ast).name as string
      count.set(name, (count.get(name) ?? 0) + 1)
    }
    for (const k of Object.keys(a)) if (k !== 'parent' && k !== 'loc') walk(a[k])
  }
  walk(root)
  const out = new Map<string, Interval>()
  for (const d of decls) {
    const name = (d.id as Ast).name as string
    if (count.get(name) !== 1 || d.init === null || d.init === undefined || assigns(root, name)) continue
    const env = new Map([...out, ...(envs.get(d) ?? new Map<string, Interval>())])
    const r = range(node, d.init as Ast, env)
    if (r !== null) out.set(name, r)
  }
  return out
}

/** Extend gpu.js's WebAssembly function node (the class, from `gpu.js`'s exports) with contiguous lane loads. */
export const installContiguousLoads = (FunctionNode: unknown, version: string | undefined): ContiguousLoadsInstall => {
  const proto = (FunctionNode as { prototype?: Record<string, unknown> } | undefined)?.prototype
  if (proto === undefined) return { ok: false, reason: 'gpu.js exports no WebAssemblyFunctionNode' }
  if (proto._tfContiguousLoads === true) return { ok: true }
  if (version !== undefined && version !== CONTIGUOUS_LOADS_GPUJS_VERSION)
    return { ok: false, reason: `gpu.js ${version} is installed; the contiguous-load extension is written for ${CONTIGUOUS_LOADS_GPUJS_VERSION}` }
  const needed = ['vGather', 'vEmitIndex', 'vexpr', 'expression', 'coerce', 'getType', 'pushState', 'popState', 'getJsAST']
  const missing = needed.filter((k) => typeof proto[k] !== 'function')
  if (missing.length > 0) return { ok: false, reason: `gpu.js's WebAssemblyFunctionNode lacks ${missing.join(', ')}` }
  const original = proto.vGather as VGather
  const vGather: VGather = function (table, name, x, y, z, m) {
    const layout = this.assembler?.layout?.[table]?.[name]
    const terms = enabled && layout !== undefined && (y === undefined || y === null) && (z === undefined || z === null) ? decompose(this, x) : null
    if (layout === undefined || terms === null || layout.flatLength < 4) {
      contiguousLoadStats.gathered++
      return original.call(this, table, name, x, y, z, m)
    }
    const em = this.em
    // U: each uniform term as gpu.js's scalar walk emits it in the vector walk (same state, same i32 coercion)
    let first = true
    for (const t of terms) {
      const state = t.literalSide ? 'casting-to-integer' : 'building-integer'
      this.pushState(state)
      const ty = this.expression(t.term)
      this.popState(state)
      this.coerce(ty, 'i32')
      if (first) {
        if (t.sign === -1) {
          // 0 - term
          const tmp = em.addLocal('i32')
          em.localSet(tmp).i32Const(0).localGet(tmp).i32Sub()
        }
        first = false
      } else if (t.sign === 1) em.i32Add()
      else em.i32Sub()
    }
    em.globalGet(this.assembler.globals.threadX)
    if (!first) em.i32Add()
    const idx = em.addLocal('i32')
    em.localSet(idx)
    // the interval of lane 0's index: uniform terms' ranges plus thread.x's
    const envs = (this._tfLoopEnv ??= loopEnvs(this.getJsAST()))
    const consts = (this._tfConstRanges ??= constRanges(this, this.getJsAST(), envs))
    const env = new Map([...consts, ...(envs.get(x) ?? new Map<string, Interval>())])
    let lo = 0
    let hi = this.output[0] - 4
    for (const t of terms) {
      const r = range(this, t.term, env)
      if (r === null) {
        lo = -Infinity
        break
      }
      lo += t.sign === 1 ? r[0] : -r[1]
      hi += t.sign === 1 ? r[1] : -r[0]
    }
    const last = layout.flatLength - 4
    if (lo >= 0 && hi <= last) {
      contiguousLoadStats.proven++
      em.localGet(idx).i32Const(2).i32Shl().v128Load(layout.offset, 2)
      return 'vf32'
    }
    contiguousLoadStats.checked++
    em.localGet(idx).i32Const(last).i32LeU().if_('v128')
    em.localGet(idx).i32Const(2).i32Shl().v128Load(layout.offset, 2)
    em.else_()
    // not wholly inside: gpu.js's gather of [idx, idx+1, idx+2, idx+3], clamp included
    const max = layout.flatLength - 1
    const v = em.addLocal('v128')
    em.localGet(idx).i32x4Splat().v128ConstI32x4(0, 1, 2, 3).i32x4Add()
    em.v128ConstI32x4(0, 0, 0, 0).i32x4MaxS().v128ConstI32x4(max, max, max, max).i32x4MinS().localSet(v)
    em.localGet(v).i32x4ExtractLane(0).i32Const(2).i32Shl().f32Load(layout.offset).f32x4Splat()
    for (let lane = 1; lane < 4; lane++) em.localGet(v).i32x4ExtractLane(lane).i32Const(2).i32Shl().f32Load(layout.offset).f32x4ReplaceLane(lane)
    em.end()
    return 'vf32'
  }
  proto.vGather = vGather
  proto._tfContiguousLoads = true
  return { ok: true }
}
