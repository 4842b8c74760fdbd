/**
 * Exact integer index math past 2^24 elements (issue #13): every op that produces or consumes an index
 * (argmax, gather and its VJP scatter-add, oneHot) gives the exact index at
 * 2^24 + 5 elements, on the float64 reference and on gpu.js's webasm and cpu modes, eagerly and
 * compiled. Float32 holds every integer only up to 2^24: past it, 2^24 + 1 rounds to 2^24, so an index
 * carried as f32 lands on its neighbour. The positions tested are odd on purpose (not float32 values).
 */
import { describe, it, expect } from 'vitest'
import {
  argmax, gather, oneHot, grad, sum, mul, reshape, tensor, toArray, dataSync, jit, key, withBackend, ready,
  type BackendName, type Tensor
} from '../../src/index.js'

const N = 2 ** 24 + 5
/** N = 3 · R: an axis shorter than 2^24 whose flat positions run past it. */
const R = N / 3
const P = N - 2
const BACKENDS: ReadonlyArray<BackendName> = ['reference', 'webasm', 'cpu']

/** Indices, read exactly (toArray keeps int32 values; dataSync would round them to float32). */
const ints = (t: Tensor): number[] => toArray(reshape(t, [-1])) as number[]
/** The positions of the non-zero entries of a row (it stops after 4). */
const hotOf = (row: ArrayLike<number>): number[] => {
  const out: number[] = []
  for (let i = 0; i < row.length && out.length < 4; i++) if (row[i] !== 0) out.push(i)
  return out
}
const index = (...is: number[]): Tensor => tensor(Int32Array.from(is), [is.length], 'int32')

describe.each(BACKENDS)('index math past 2^24 on %s', (backend) => {
  it('argmax, gather, scatter-add (gather VJP) and oneHot give exact indices at 2^24 + 5 elements', async () => {
    await ready()
    withBackend(backend, () => {
      const a = new Float32Array(N)
      // neighbours that float32 would merge: 2^24 (3), 2^24 + 1 (4), 2^24 + 2 (1), P = 2^24 + 3 (5)
      for (const [i, v] of [[2 ** 24, 3], [2 ** 24 + 1, 4], [2 ** 24 + 2, 1], [P, 5]] as const) a[i] = v
      const x = tensor(a, [N])

      expect(ints(argmax(x))).toEqual([P])
      expect(ints(argmax(reshape(x, [N, 1]), 0))).toEqual([P])
      expect(ints(argmax(reshape(x, [3, R]), 1))[2]).toBe(P % R)
      expect(ints(argmax(reshape(x, [R, 3]), 0))[P % 3]).toBe(Math.floor(P / 3))

      const idx = index(P, 2 ** 24 + 2, 2 ** 24 + 1)
      expect(toArray(gather(x, idx))).toEqual([5, 1, 4])
      const g = dataSync(grad((t: Tensor) => sum(mul(gather(t, idx), tensor([1, 2, 3]))))(x) as Tensor)
      expect([g[2 ** 24], g[2 ** 24 + 1], g[2 ** 24 + 2], g[P], g[N - 1]]).toEqual([0, 3, 2, 1, 0])


      // oneHot compares the index with every class: in float32, 2^24 + 1 meets 2^24 (two ones)
      expect(hotOf(dataSync(oneHot(index(2 ** 24 + 1), N)))).toEqual([2 ** 24 + 1])
      expect(hotOf(dataSync(jit((i: Tensor) => oneHot(i, N))(index(2 ** 24), key(0))))).toEqual([2 ** 24])
      // an index out of range stays a row of zeros (tf.one_hot)
      expect(hotOf(dataSync(oneHot(index(N), N)))).toEqual([])
    })
  })
})
