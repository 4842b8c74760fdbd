/**
 * The crossentropies compute from the logits behind a softmax or sigmoid output, as Keras 2.15's
 * `backend._get_logits` does (`output._keras_logits`, or a `Softmax`/`Sigmoid` op in a graph): no
 * ε-clipping then, so a confidently wrong prediction keeps its whole loss and its gradient. Probabilities
 * that did not come from those activations keep Keras's clipped formula.
 */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { tensorOf, shapeArb } from '../../laws/index.js'
import { tensor, softmax, sigmoid, dataSync, sequential, dense, sgd, withBackend, reference, getBackend, setBackend, type Tensor, type Backend } from '../../src/index.js'
import * as L from '../../src/losses/index.js'
import { counting } from '../backend/counting.js'
import { grad, sum, mul, neg, logSoftmax } from '../../src/index.js'
import { softmaxXent } from '../../src/primitives/index.js'

const v = (t: Tensor): number[] => Array.from(dataSync(t))
const LOG_EPS = -Math.log(1e-7) // 16.118…: the clipped loss of a probability below ε

describe('the crossentropies use the logits behind a softmax or sigmoid output (Keras 2.15)', () => {
  const z = tensor([[0, 40], [2, 1]])
  const t = tensor([[1, 0], [1, 0]])
  // −log softmax(z)[0] per row: 40 + log(1 + e^−40), and log(1 + e^−1)
  const want = [40, Math.log1p(Math.exp(-1))]

  it('categorical: a softmax output is replaced by its logits, with no clipping', () => {
    const got = v(L.categoricalCrossentropy(t, softmax(z)))
    expect(got[0]).toBeCloseTo(want[0], 4)
    expect(got[1]).toBeCloseTo(want[1], 6)
    // the same probabilities as a plain tensor: Keras's clipped formula
    const p = tensor(Array.from(dataSync(softmax(z))), [2, 2])
    expect(v(L.categoricalCrossentropy(t, p))[0]).toBeCloseTo(LOG_EPS, 3)
    // fromLogits on the logits themselves gives the same as the softmax output
    expect(v(L.categoricalCrossentropy(t, z, { fromLogits: true }))[0]).toBeCloseTo(want[0], 4)
  })

  it('fromLogits: true on a softmax output still uses its logits (Keras: the probabilities are not squashed twice)', () => {
    expect(v(L.categoricalCrossentropy(t, softmax(z), { fromLogits: true }))[0]).toBeCloseTo(want[0], 4)
    expect(v(L.sparseCategoricalCrossentropy(tensor([0, 0]), softmax(z), { fromLogits: true }))[0]).toBeCloseTo(want[0], 4)
  })

  it('sparse categorical: the same, with class ids', () => {
    const got = v(L.sparseCategoricalCrossentropy(tensor([0, 0]), softmax(z)))
    expect(got[0]).toBeCloseTo(want[0], 4)
    expect(got[1]).toBeCloseTo(want[1], 6)
  })

  it('a softmax over another axis is not a source of logits for a crossentropy over the last one', () => {
    const p = softmax(tensor([[0, 40], [2, 1]]), 0)
    const direct = tensor(Array.from(dataSync(p)), [2, 2])
    expect(v(L.categoricalCrossentropy(t, p))).toEqual(v(L.categoricalCrossentropy(t, direct)))
  })

  it('binary: a sigmoid output is replaced by its logits (softplus(z) − z·t)', () => {
    const zb = tensor([[30], [-1]])
    const tb = tensor([[0], [1]])
    const got = v(L.binaryCrossentropy(tb, sigmoid(zb)))
    expect(got[0]).toBeCloseTo(30, 4)
    expect(got[1]).toBeCloseTo(Math.log1p(Math.exp(1)), 6) // −log σ(−1)
    const p = tensor(Array.from(dataSync(sigmoid(zb))), [2, 1])
    expect(v(L.binaryCrossentropy(tb, p))[0]).toBeLessThan(17) // clipped at 1 − ε
  })

  it('agrees with the composite −Σ t·logSoftmax, labels smoothed or soft', () => {
    withBackend(reference, () => {
      const zz = tensor([[0.3, -1.2, 2.5], [4, 4, -3]])
      const soft = tensor([[0.2, 0.5, 0.3], [0, 1, 0]])
      const a = v(L.categoricalCrossentropy(soft, softmax(zz), { labelSmoothing: 0.1 }))
      const lsm = (row: number[]): number[] => {
        const m = Math.max(...row)
        const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0))
        return row.map((x) => x - lse)
      }
      const rows = [[0.3, -1.2, 2.5], [4, 4, -3]]
      const labels = [[0.2, 0.5, 0.3], [0, 1, 0]].map((r) => r.map((x) => x * 0.9 + 0.1 / 3))
      rows.forEach((r, i) => expect(a[i]).toBeCloseTo(-lsm(r).reduce((s, x, j) => s + labels[i][j] * x, 0), 6))
    })
  })
})

describe('in training, as Keras 2.15 fit and evaluate', () => {
  const x = tensor([[0, 40]])
  const y = tensor([[1, 0]])
  const model = () => sequential([dense(2, { inputShape: [2], activation: 'softmax' })]).setWeights([tensor([[1, 0], [0, 1]]), tensor([0, 0])])

  for (const runEagerly of [false, true]) {
    it(`a confidently wrong softmax prediction keeps its loss and its gradient (${runEagerly ? 'eager' : 'compiled'})`, async () => {
      const tr = model().compile({ optimizer: sgd({ learningRate: 0.1 }), loss: 'categoricalCrossentropy', runEagerly })
      const ev = (await tr.evaluate(x, y, { verbose: 0 })) as number | ReadonlyArray<number>
      expect(typeof ev === 'number' ? ev : ev[0]).toBeCloseTo(40, 3)
      // dL/dz = softmax(z) − t = [−1, 1]; the kernel's gradient is xᵀ·that: row 2 gets [−40, 40]
      const [t1] = tr.trainOnBatch(x, y)
      const kernel = v((t1.params as unknown as ReadonlyArray<{ kernel: Tensor }>)[0].kernel)
      expect(kernel[2]).toBeCloseTo(4, 3)
      expect(kernel[3]).toBeCloseTo(1 - 4, 3)
    })
  }

  it('sparse labels and a sigmoid output too', async () => {
    const sparse = model().compile({ optimizer: sgd(), loss: 'sparseCategoricalCrossentropy' })
    const e1 = (await sparse.evaluate(x, tensor([0]), { verbose: 0 })) as number | ReadonlyArray<number>
    expect(typeof e1 === 'number' ? e1 : e1[0]).toBeCloseTo(40, 3)
    const bin = sequential([dense(1, { inputShape: [1], activation: 'sigmoid' })])
      .setWeights([tensor([[1]]), tensor([0])])
      .compile({ optimizer: sgd(), loss: 'binaryCrossentropy' })
    const e2 = (await bin.evaluate(tensor([[30]]), tensor([[0]]), { verbose: 0 })) as number | ReadonlyArray<number>
    expect(typeof e2 === 'number' ? e2 : e2[0]).toBeCloseTo(30, 3)
  })

  it('a compiled step runs the fused softmax cross-entropy kernels', () => {
    const base = getBackend()
    const { be, calls } = counting()
    setBackend(be)
    try {
      let tr = model().compile({ optimizer: sgd(), loss: 'categoricalCrossentropy' })
      for (let i = 0; i < 3; i++) tr = tr.trainOnBatch(x, y)[0]
    } finally {
      setBackend(base)
    }
    expect(calls.get('softmaxXent')).toBeGreaterThanOrEqual(3)
    expect(calls.get('softmaxXentGrad')).toBeGreaterThanOrEqual(3)
  })
})

describe('softmaxXent differentiates only what is traced', () => {
  it('the labels cotangent (two kernels) is computed only when the labels are differentiated', () => {
    const base = getBackend() as Backend
    const wrts: string[] = []
    const counted = { ...base, threaded: undefined, softmaxXentGrad: (...a: Parameters<Backend['softmaxXentGrad']>) => (wrts.push(a[0]), base.softmaxXentGrad(...a)) }
    setBackend(counted as unknown as Backend)
    const z = tensor([[0.5, -1, 2]])
    const t = tensor([[0, 1, 0]])
    try {
      const gz = grad((a: Tensor) => sum(softmaxXent(a, t)))(z)
      expect(wrts).toEqual(['logits'])
      // d/dz = softmax(z) − t
      const e = [0.5, -1, 2].map(Math.exp)
      const s = e.reduce((a, b) => a + b, 0)
      v(gz).forEach((g, j) => expect(g).toBeCloseTo(e[j] / s - [0, 1, 0][j], 6))
      wrts.length = 0
      grad(([a, b]: [Tensor, Tensor]) => sum(softmaxXent(a, b)))([z, t])
      expect(wrts.sort()).toEqual(['labels', 'logits'])
    } finally {
      setBackend(base)
    }
  })
})

describe('softmaxXent is −Σ t · logSoftmax(x) over the last axis', () => {
  it('property: the same values and gradients as the composite, on the float64 reference', () => {
    const arb = fc
      .tuple(shapeArb(0, 2, 3), fc.integer({ min: 1, max: 7 }))
      .chain(([lead, C]) => fc.tuple(tensorOf([...lead, C], { min: -6, max: 6 }), tensorOf([...lead, C], { min: 0, max: 1 })))
    fc.assert(
      fc.property(arb, ([x, t]) =>
        withBackend(reference, () => {
          const composite = (a: Tensor): Tensor => neg(sum(mul(t, logSoftmax(a, -1)), -1))
          const fused = (a: Tensor): Tensor => softmaxXent(a, t)
          v(fused(x)).forEach((y, i) => expect(y).toBeCloseTo(v(composite(x))[i], 10))
          const w = (f: (a: Tensor) => Tensor) => grad((a: Tensor) => sum(mul(f(a), f(a))))(x)
          v(w(fused)).forEach((g, i) => expect(g).toBeCloseTo(v(w(composite))[i], 9))
        })
      ),
      { numRuns: 60, seed: 12 }
    )
  })
})
