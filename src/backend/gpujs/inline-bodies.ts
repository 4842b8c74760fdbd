/**
 * @internal Kernel bodies inlined into gpu.js's cell loops — a small, version-checked extension of
 * `WebAssemblyKernel` (gpu.js 2.24.1), installed once at start-up beside the code-generator extensions.
 *
 * gpu.js's webasm module runs a kernel as two functions: `run_simd` loops over quads of cells, sets the
 * thread globals and **calls** `kernel_simd` once per quad (and `run` calls `kernel` once per cell, for
 * rows that are not a multiple of 4 wide). V8 does not inline wasm calls here, so on an elementwise
 * kernel the call is most of the work: an add of 2^20 floats took 0.77 ms with a call per quad against
 * 0.19 ms with the same body in the loop (hand-built modules, in cache, measured here). A matmul's long
 * k loop hides it; every elementwise, fused and reduction kernel pays it.
 *
 * After gpu.js has emitted both loops ({@link installInlineBodies} wraps `_emitRunSimd`, which runs last),
 * each loop's call is replaced by the callee's body ({@link inlineCall}), rewritten instruction by
 * instruction: its locals are renumbered after the loop's own and set to zero at the start of every
 * iteration (as a call would find them), each `return` becomes a branch to the end of a block around
 * the body, and its calls (helpers, `Math` imports) stay calls. The callee keeps its signature and an
 * empty body. Nothing else changes, so every result is the same float as before. Where the callee holds
 * an instruction the rewriter does not know, or the loop does not call it exactly once, the call stays.
 *
 * @since 0.3.0
 */

/** The gpu.js version this extension was written and tested for. */
export const INLINE_BODIES_GPUJS_VERSION = '2.24.1'

/** What installing the extension did. */
export type InlineBodiesInstall = { readonly ok: true } | { readonly ok: false; readonly reason: string }

/** The parts of gpu.js's `WasmFunctionEmitter` (wasm-builder.js) this extension reads and rewrites. */
export interface BodyEmitter {
  readonly params: ReadonlyArray<string>
  readonly results: ReadonlyArray<string>
  locals: string[]
  bytes: number[]
  callFixups: Array<{ at: number; name: string }>
}

/** The parts of gpu.js's `WasmModuleBuilder` this extension reads. */
export interface ModuleBuilder {
  readonly functions: ReadonlyArray<{ readonly name: string; readonly emitter: BodyEmitter }>
  readonly exports: ReadonlyArray<{ readonly name: string }>
}

type EmitRunSimd = (this: unknown, builder: ModuleBuilder, ...rest: unknown[]) => unknown

let installed = false
let enabled = true

/** Loops whose call was replaced by the body, and calls left in place, since start-up. */
export const inlineBodiesStats = { inlined: 0, kept: 0 }

/** Turn the extension on or off for kernels compiled from now on (A/B measurement and tests). */
export const setInlineBodies = (on: boolean): void => {
  enabled = on
}
/** Whether kernels compiled now get their bodies inlined. */
export const inlineBodiesActive = (): boolean => installed && enabled

/** The bytes that set a local of `type` to zero, or undefined for a type gpu.js does not emit. */
const zeroOf = (type: string): ReadonlyArray<number> | undefined => {
  switch (type) {
    case 'i32':
      return [0x41, 0x00]
    case 'i64':
      return [0x42, 0x00]
    case 'f32':
      return [0x43, 0, 0, 0, 0]
    case 'f64':
      return [0x44, 0, 0, 0, 0, 0, 0, 0, 0]
    case 'v128':
      return [0xfd, 0x0c, ...new Array<number>(16).fill(0)]
    default:
      return undefined
  }
}

const pushUleb = (value: number, out: number[]): void => {
  let v = value >>> 0
  do {
    let b = v & 0x7f
    v >>>= 7
    if (v !== 0) b |= 0x80
    out.push(b)
  } while (v !== 0)
}

/**
 * A callee's body rewritten to run inside a block in its caller: locals shifted by `localBase`, each
 * `return` a branch out of that block, each call kept (with its fixup moved), everything else as it was.
 * Undefined where the body holds an opcode not listed here, or does not balance its blocks.
 */
export const rewriteBody = (
  bytes: ReadonlyArray<number>,
  fixups: ReadonlyArray<{ readonly at: number; readonly name: string }>,
  localBase: number
): { readonly bytes: number[]; readonly fixups: Array<{ at: number; name: string }> } | undefined => {
  const out: number[] = []
  const outFixups: Array<{ at: number; name: string }> = []
  const callAt = new Map(fixups.map((f) => [f.at, f.name]))
  let i = 0
  let depth = 0
  /** copy one LEB128 number as it is */
  const leb = (): boolean => {
    for (;;) {
      if (i >= bytes.length) return false
      const b = bytes[i++]
      out.push(b)
      if ((b & 0x80) === 0) return true
    }
  }
  const readUleb = (): number | undefined => {
    let v = 0
    let shift = 0
    for (;;) {
      if (i >= bytes.length || shift > 28) return undefined
      const b = bytes[i++]
      v |= (b & 0x7f) << shift
      if ((b & 0x80) === 0) return v >>> 0
      shift += 7
    }
  }
  const copy = (n: number): boolean => {
    if (i + n > bytes.length) return false
    for (let j = 0; j < n; j++) out.push(bytes[i++])
    return true
  }
  while (i < bytes.length) {
    const op = bytes[i]
    let ok = true
    if (op === 0x00 || op === 0x01 || op === 0x05 || op === 0x1a || op === 0x1b || (op >= 0x45 && op <= 0xc4)) ok = copy(1)
    else if (op === 0x02 || op === 0x03 || op === 0x04) {
      const bt = bytes[i + 1]
      ok = (bt === 0x40 || (bt >= 0x7b && bt <= 0x7f)) && copy(2)
      depth++
    } else if (op === 0x0b) {
      if (depth === 0) return undefined
      depth--
      ok = copy(1)
    } else if (op === 0x0c || op === 0x0d || op === 0x23 || op === 0x24) ok = copy(1) && leb()
    else if (op === 0x0e) {
      ok = copy(1)
      const n = readUleb()
      if (n === undefined) return undefined
      pushUleb(n, out)
      for (let k = 0; k <= n && ok; k++) ok = leb()
    } else if (op === 0x0f) {
      // `return` leaves the body: a branch to the end of the block around it
      i++
      out.push(0x0c)
      pushUleb(depth, out)
    } else if (op === 0x10) {
      const name = callAt.get(i + 1)
      if (name === undefined) return undefined
      out.push(0x10)
      outFixups.push({ at: out.length, name })
      i++
      ok = copy(5)
    } else if (op === 0x20 || op === 0x21 || op === 0x22) {
      i++
      const idx = readUleb()
      if (idx === undefined) return undefined
      out.push(op)
      pushUleb(idx + localBase, out)
    } else if (op >= 0x28 && op <= 0x3e) ok = copy(1) && leb() && leb()
    else if (op === 0x3f || op === 0x40) ok = copy(2)
    else if (op === 0x41 || op === 0x42) ok = copy(1) && leb()
    else if (op === 0x43) ok = copy(5)
    else if (op === 0x44) ok = copy(9)
    else if (op === 0xfc) {
      i++
      const sub = readUleb()
      // the saturating truncations only
      if (sub === undefined || sub > 7) return undefined
      out.push(0xfc)
      pushUleb(sub, out)
    } else if (op === 0xfd) {
      i++
      const sub = readUleb()
      if (sub === undefined) return undefined
      out.push(0xfd)
      pushUleb(sub, out)
      if (sub <= 0x0b || sub === 0x5c || sub === 0x5d) ok = leb() && leb() // loads and stores: memarg
      else if (sub === 0x0c || sub === 0x0d) ok = copy(16) // v128.const, i8x16.shuffle
      else if (sub >= 0x15 && sub <= 0x22) ok = copy(1) // lane index
      else if (sub >= 0x54 && sub <= 0x5b) ok = leb() && leb() && copy(1) // load/store lane: memarg, lane
      else if (sub > 0x113) return undefined
    } else return undefined
    if (!ok) return undefined
  }
  if (depth !== 0) return undefined
  return { bytes: out, fixups: outFixups }
}

/**
 * Replace the one call from function `caller` to function `callee` (no parameters, no results) by
 * callee's body; true when done. Callee's body is emptied when nothing else calls or exports it.
 */
export const inlineCall = (builder: ModuleBuilder, caller: string, callee: string): boolean => {
  const from = builder.functions.find((f) => f.name === caller)?.emitter
  const to = builder.functions.find((f) => f.name === callee)?.emitter
  if (from === undefined || to === undefined || from === to || to.params.length !== 0 || to.results.length !== 0) return false
  const sites = from.callFixups.filter((f) => f.name === callee)
  if (sites.length !== 1 || from.bytes[sites[0].at - 1] !== 0x10) return false
  const site = sites[0].at - 1
  const base = from.params.length + from.locals.length
  const body = rewriteBody(to.bytes, to.callFixups, base)
  if (body === undefined) return false
  const prologue: number[] = []
  for (let j = 0; j < to.locals.length; j++) {
    const z = zeroOf(to.locals[j])
    if (z === undefined) return false
    prologue.push(...z, 0x21)
    pushUleb(base + j, prologue)
  }
  const inline = [...prologue, 0x02, 0x40, ...body.bytes, 0x0b]
  const bodyAt = site + prologue.length + 2
  const delta = inline.length - 6
  from.bytes = [...from.bytes.slice(0, site), ...inline, ...from.bytes.slice(site + 6)]
  from.callFixups = [
    ...from.callFixups.filter((f) => f.at !== site + 1).map((f) => (f.at > site ? { at: f.at + delta, name: f.name } : f)),
    ...body.fixups.map((f) => ({ at: f.at + bodyAt, name: f.name }))
  ]
  from.locals.push(...to.locals)
  const stillCalled = builder.functions.some((f) => f.emitter.callFixups.some((c) => c.name === callee)) || builder.exports.some((e) => e.name === callee)
  if (!stillCalled) {
    to.bytes = []
    to.callFixups = []
    to.locals = []
  }
  return true
}

/** Check gpu.js's version and `WebAssemblyKernel._emitRunSimd`, then inline the loops' calls from now on. */
export const installInlineBodies = (Kernel: unknown, version: string | undefined): InlineBodiesInstall => {
  const proto = (Kernel as { prototype?: Record<string, unknown> } | undefined)?.prototype
  if (proto === undefined) return { ok: false, reason: 'gpu.js exports no WebAssemblyKernel' }
  if (proto._tfInlineBodies === true) {
    installed = true
    return { ok: true }
  }
  if (version !== undefined && version !== INLINE_BODIES_GPUJS_VERSION)
    return { ok: false, reason: `gpu.js ${version} is installed; the inlined kernel bodies are written for ${INLINE_BODIES_GPUJS_VERSION}` }
  if (typeof proto._emitRunSimd !== 'function') return { ok: false, reason: "gpu.js's WebAssemblyKernel lacks _emitRunSimd" }
  const emitRunSimd = proto._emitRunSimd as EmitRunSimd
  proto._emitRunSimd = function (this: unknown, builder: ModuleBuilder, ...rest: unknown[]) {
    const r = emitRunSimd.call(this, builder, ...rest)
    if (installed && enabled)
      for (const [caller, callee] of [
        ['run', 'kernel'],
        ['run_simd', 'kernel_simd']
      ])
        if (inlineCall(builder, caller, callee)) inlineBodiesStats.inlined++
        else inlineBodiesStats.kept++
    return r
  } as EmitRunSimd
  proto._tfInlineBodies = true
  installed = true
  return { ok: true }
}
