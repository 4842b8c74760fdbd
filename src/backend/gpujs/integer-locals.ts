/**
 * @internal Integer locals for gpu.js's WebAssembly code generator — a small, self-contained extension
 * of `WebAssemblyFunctionNode` (gpu.js 2.24.1), installed once at start-up beside `contiguous-loads.ts`.
 *
 * gpu.js 2.24.1 declares every kernel local as an f32, integer ones included:
 * - `let r = this.thread.y * 64` (an Integer initializer) "decays" to f32 on purpose (the WebGL
 *   backend's behaviour);
 * - a loop counter `for (let k = 0; …; k++)` is typed Integer by the tracer (`suggestedType`) and the
 *   analysis pass declares it i32, but the analysis pass also caches its literal `0` as Integer, so the
 *   emission pass sees an Integer initializer and decays it to f32 too.
 *
 * An f32 local makes every index built from it a Float expression: each read converts it
 * (`i32.trunc_sat_f32_s`), index arithmetic runs in f32 (inexact past 2^24), and a lane-varying read
 * whose index is Float cannot be proven contiguous, so it is gathered lane by lane. That is why a
 * matmul written with a `k++` counter ran 2.4–3.8× slower than one with `(k|0)` conversions.
 *
 * This extension declares a local as i32 when that cannot change any value the kernel computes:
 * - it is declared once, at a position every lane reaches together (the kernel body, or bodies of `for`
 *   loops whose tests are integer expressions and that have no `break`/`continue`/`return`);
 * - its initializer is an integer expression: integer literals, `this.thread.y`/`.z`, Integer kernel
 *   arguments and other such locals, combined with `+ - * |` (never `this.thread.x`: a lane-varying
 *   local stays gpu.js's);
 * - it is never assigned, except a `for` counter stepped by its own `k++` or `k += <integer literal>`;
 * - every read of it is part of an index: it reaches an array subscript, a `for` test, or another such
 *   local's initializer through `+ - * |` only.
 *
 * An index is converted to i32 before the load in both forms, so while the values stay below 2^24 (where
 * gpu.js's f32 form is exact) the loads read the same elements and the results are bit-identical; past
 * 2^24 the i32 form is the exact one. Everything else is left to gpu.js.
 *
 * @since 0.3.0
 */

/** The gpu.js version this extension was written and tested for. */
export const INTEGER_LOCALS_GPUJS_VERSION = '2.24.1'

/** What installing the extension did. */
export type IntegerLocalsInstall = { readonly ok: true } | { readonly ok: false; readonly reason: string }

interface Ast {
  readonly type: string
  readonly [k: string]: unknown
}

interface Node {
  argumentNames: string[]
  argumentTypes: string[]
  taintedLocals: Set<string>
  getJsAST(): Ast
  getDeclaration(id: unknown): { valueType: string | null } | null
  setScalarLocal(name: string, wtype: string, gtype: string, emitInit: () => void): void
  castLiteralToInteger(ast: unknown): void
  expression(ast: unknown): string
  coerce(from: string, to: string): void
  pushState(s: string): void
  popState(s: string): void
  isThreadDependent(ast: unknown): boolean
  _tfIntegerLocalPlan?: ReadonlySet<string>
}

let enabled = true
/** Turn the extension on or off for kernels compiled from now on (A/B measurement and tests). */
export const setIntegerLocals = (on: boolean): void => {
  enabled = on
}
/** Whether kernels compiled now get integer locals. */
export const integerLocalsEnabled = (): boolean => enabled
let installed = false
/** Whether the extension is installed in gpu.js and on: kernels compiled now get integer locals. */
export const integerLocalsActive = (): boolean => installed && enabled

/** How many locals the kernels compiled so far declared as i32 through this extension (diagnostics). */
export const integerLocalStats = { declared: 0 }

const children = (n: Ast): Ast[] => {
  const out: Ast[] = []
  for (const k of Object.keys(n)) {
    if (k === 'parent' || k === 'loc' || k === 'range') continue
    const c = n[k]
    if (Array.isArray(c)) for (const x of c) x !== null && typeof x === 'object' && typeof (x as Ast).type === 'string' && out.push(x as Ast)
    else if (c !== null && typeof c === 'object' && typeof (c as Ast).type === 'string') out.push(c as Ast)
  }
  return out
}

const isIntLiteral = (n: Ast): boolean => n.type === 'Literal' && typeof n.value === 'number' && Number.isInteger(n.value)

/** `this.thread.<axis>` → the axis name, else null. */
const threadAxis = (n: Ast): string | null => {
  if (n.type !== 'MemberExpression' || n.computed === true) return null
  const o = n.object as Ast
  if (o.type !== 'MemberExpression' || o.computed === true || (o.object as Ast).type !== 'ThisExpression' || (o.property as Ast).name !== 'thread') return null
  return (n.property as Ast).name as string
}

const CLIMB = new Set(['+', '-', '*', '|'])
const COMPARE = new Set(['<', '<=', '>', '>='])

/** Whether a loop body can leave early (then its trip count, and what it assigns, may vary by lane). */
const exits = (n: Ast): boolean => n.type === 'BreakStatement' || n.type === 'ContinueStatement' || n.type === 'ReturnStatement' || children(n).some(exits)

/**
 * The names of the kernel's locals that can be i32 (see the module comment). Pure function of the
 * kernel's AST and its argument types.
 */
export const integerLocalPlan = (fn: Ast, argumentNames: ReadonlyArray<string>, argumentTypes: ReadonlyArray<string>): Set<string> => {
  const body = fn.body as Ast
  const parent = new Map<Ast, Ast>()
  const declarators = new Map<string, Array<{ decl: Ast; uniform: boolean; forNode: Ast | null }>>()
  const refs = new Map<string, Ast[]>()
  const assigned = new Map<string, Ast[]>()
  const intArgs = new Set(argumentNames.filter((_, i) => argumentTypes[i] === 'Integer'))
  // walk, recording parents, declarations (with whether every lane reaches them together), reads and writes
  const walk = (n: Ast, uniform: boolean): void => {
    let inner = uniform
    if (n.type === 'ForStatement') inner = uniform && !exits(n.body as Ast) && n.test !== null && n.test !== undefined
    else if (n.type !== 'BlockStatement' && n.type !== 'VariableDeclaration' && n.type !== 'VariableDeclarator' && n.type !== 'ExpressionStatement' && n.type !== 'FunctionExpression' && n.type !== 'FunctionDeclaration' && n.type !== 'ArrowFunctionExpression' && n.type !== 'Program')
      inner = false
    if (n.type === 'VariableDeclarator' && (n.id as Ast).type === 'Identifier') {
      const name = (n.id as Ast).name as string
      const p = parent.get(n)
      const gp = p === undefined ? undefined : parent.get(p)
      const forNode = gp?.type === 'ForStatement' && gp.init === p ? gp : null
      const list = declarators.get(name) ?? []
      list.push({ decl: n, uniform: forNode === null ? uniform : uniform && !exits(forNode.body as Ast), forNode })
      declarators.set(name, list)
    }
    if (n.type === 'AssignmentExpression' && (n.left as Ast).type === 'Identifier') {
      const name = (n.left as Ast).name as string
      assigned.set(name, [...(assigned.get(name) ?? []), n])
    }
    if (n.type === 'UpdateExpression' && (n.argument as Ast).type === 'Identifier') {
      const name = (n.argument as Ast).name as string
      assigned.set(name, [...(assigned.get(name) ?? []), n])
    }
    for (const c of children(n)) {
      parent.set(c, n)
      const isRead =
        c.type === 'Identifier' &&
        !(n.type === 'VariableDeclarator' && n.id === c) &&
        !(n.type === 'MemberExpression' && n.property === c && n.computed !== true) &&
        !(n.type === 'AssignmentExpression' && n.left === c) &&
        !(n.type === 'UpdateExpression' && n.argument === c)
      if (isRead) refs.set(c.name as string, [...(refs.get(c.name as string) ?? []), c])
      // the init and test of a uniform for are evaluated by all lanes together; its body only when the loop is uniform
      walk(c, n.type === 'ForStatement' && c === n.body ? inner && uniform : n.type === 'ForStatement' ? uniform : inner)
    }
  }
  walk(body, true)

  const candidates = new Set<string>()
  for (const [name, list] of declarators) {
    if (list.length !== 1 || argumentNames.includes(name)) continue
    const { decl, uniform, forNode } = list[0]
    if (!uniform || decl.init === null || decl.init === undefined) continue
    const writes = assigned.get(name) ?? []
    const ok = writes.every((w) => {
      if (forNode === null || forNode.update !== w) return false
      if (w.type === 'UpdateExpression') return w.operator === '++'
      return w.operator === '+=' && isIntLiteral(w.right as Ast)
    })
    if (!ok) continue
    if (forNode !== null && writes.length > 0 && exits(forNode.body as Ast)) continue
    candidates.add(name)
  }

  // an integer expression over literals, thread.y/z, Integer arguments and candidate locals
  const intExpr = (n: Ast, set: ReadonlySet<string>): boolean => {
    if (isIntLiteral(n)) return true
    const axis = threadAxis(n)
    if (axis !== null) return axis === 'y' || axis === 'z'
    if (n.type === 'Identifier') return set.has(n.name as string) || intArgs.has(n.name as string)
    if (n.type === 'BinaryExpression' && CLIMB.has(n.operator as string)) return intExpr(n.left as Ast, set) && intExpr(n.right as Ast, set)
    return false
  }
  // every read of `name` reaches an index, a for test or a candidate's initializer through + - * | only
  const indexOnly = (name: string, set: ReadonlySet<string>): boolean =>
    (refs.get(name) ?? []).every((r) => {
      let c = r
      let p = parent.get(c)
      while (p !== undefined && p.type === 'BinaryExpression' && CLIMB.has(p.operator as string)) {
        c = p
        p = parent.get(c)
      }
      if (p === undefined) return false
      if (p.type === 'MemberExpression' && p.computed === true && p.property === c) return true
      if (p.type === 'BinaryExpression' && COMPARE.has(p.operator as string) && parent.get(p)?.type === 'ForStatement' && (parent.get(p) as Ast).test === p) return true
      if (p.type === 'VariableDeclarator' && p.init === c && (p.id as Ast).type === 'Identifier') return set.has((p.id as Ast).name as string)
      return false
    })
  // a for test over candidates must itself be integer for its body to count as uniform
  const testsOk = (name: string, set: ReadonlySet<string>): boolean => {
    let p = parent.get(declarators.get(name)![0].decl)
    while (p !== undefined) {
      if (p.type === 'ForStatement') {
        const t = p.test as Ast
        if (!(t.type === 'BinaryExpression' && COMPARE.has(t.operator as string) && intExpr(t.left as Ast, set) && intExpr(t.right as Ast, set))) return false
      }
      p = parent.get(p)
    }
    return true
  }
  let changed = true
  while (changed) {
    changed = false
    for (const name of [...candidates]) {
      const init = declarators.get(name)![0].decl.init as Ast
      if (!intExpr(init, candidates) || !indexOnly(name, candidates) || !testsOk(name, candidates)) {
        candidates.delete(name)
        changed = true
      }
    }
  }
  return candidates
}

type StmtVariableDeclaration = (this: Node, varDecNode: Ast) => void

/** Extend gpu.js's WebAssembly function node (the class, from `gpu.js`'s exports) with integer locals. */
export const installIntegerLocals = (FunctionNode: unknown, version: string | undefined): IntegerLocalsInstall => {
  const proto = (FunctionNode as { prototype?: Record<string, unknown> } | undefined)?.prototype
  if (proto === undefined) return { ok: false, reason: 'gpu.js exports no WebAssemblyFunctionNode' }
  if (proto._tfIntegerLocals === true) {
    installed = true
    return { ok: true }
  }
  if (version !== undefined && version !== INTEGER_LOCALS_GPUJS_VERSION)
    return { ok: false, reason: `gpu.js ${version} is installed; the integer-local extension is written for ${INTEGER_LOCALS_GPUJS_VERSION}` }
  const needed = ['stmtVariableDeclaration', 'setScalarLocal', 'castLiteralToInteger', 'expression', 'coerce', 'getDeclaration', 'isThreadDependent', 'getJsAST', 'pushState', 'popState']
  const missing = needed.filter((k) => typeof proto[k] !== 'function')
  if (missing.length > 0) return { ok: false, reason: `gpu.js's WebAssemblyFunctionNode lacks ${missing.join(', ')}` }
  const original = proto.stmtVariableDeclaration as StmtVariableDeclaration
  const stmtVariableDeclaration: StmtVariableDeclaration = function (varDecNode) {
    const declarations = varDecNode.declarations as Ast[] | undefined
    if (!enabled || declarations === undefined || declarations.some((d) => d.init === null || d.init === undefined)) return original.call(this, varDecNode)
    const plan = (this._tfIntegerLocalPlan ??= integerLocalPlan(this.getJsAST(), this.argumentNames ?? [], this.argumentTypes ?? []))
    for (const d of declarations) {
      const name = (d.id as Ast).name as string
      if (!plan.has(name)) {
        original.call(this, { ...varDecNode, declarations: [d] })
        continue
      }
      const init = d.init as Ast
      const info = this.getDeclaration(d.id)
      if (info !== null) info.valueType = 'Integer'
      this.setScalarLocal(name, 'i32', 'Integer', () => {
        if (isIntLiteral(init)) this.castLiteralToInteger(init)
        else {
          this.pushState('building-integer')
          const t = this.expression(init)
          this.popState('building-integer')
          this.coerce(t, 'i32')
        }
      })
      integerLocalStats.declared++
      if (this.isThreadDependent(init)) this.taintedLocals.add(name)
    }
  }
  proto.stmtVariableDeclaration = stmtVariableDeclaration
  proto._tfIntegerLocals = true
  installed = true
  return { ok: true }
}
