/**
 * @internal The slice of gpu.js 2.24.1's wasm function emitter (`WebAssemblyFunctionNode#em`) that the
 * code-generator extensions use (`contiguous-loads.ts`, `row-planes.ts`, `native-math.ts`): each method pushes one
 * instruction and returns the emitter; `addLocal` declares a local and returns its index.
 *
 * @since 0.3.0
 */
export interface WasmEmitter {
  addLocal(type: string): number
  localGet(i: number): WasmEmitter
  localSet(i: number): WasmEmitter
  localTee(i: number): WasmEmitter
  globalGet(i: number): WasmEmitter
  i32Const(v: number): WasmEmitter
  f32Const(v: number): WasmEmitter
  i32Add(): WasmEmitter
  i32Sub(): WasmEmitter
  i32Mul(): WasmEmitter
  i32Shl(): WasmEmitter
  i32LeU(): WasmEmitter
  v128Load(offset: number, align: number): WasmEmitter
  v128Store(offset: number, align: number): WasmEmitter
  v128Not(): WasmEmitter
  v128Bitselect(): WasmEmitter
  v128ConstI32x4(a: number, b: number, c: number, d: number): WasmEmitter
  v128ConstF32x4(a: number, b: number, c: number, d: number): WasmEmitter
  i32x4Splat(): WasmEmitter
  i32x4Add(): WasmEmitter
  i32x4MaxS(): WasmEmitter
  i32x4MinS(): WasmEmitter
  i32x4ExtractLane(l: number): WasmEmitter
  f32Load(offset: number, align?: number): WasmEmitter
  f32x4Splat(): WasmEmitter
  f32x4ReplaceLane(l: number): WasmEmitter
  if_(type: string): WasmEmitter
  else_(): WasmEmitter
  end(): WasmEmitter
}
