/** Random models for the io laws: Sequential and functional, built-in layers of every kind io maps. */
import fc from 'fast-check'
import { sequential, dense, dropout, flatten, activation, input, model, call, concatenate, multiply, average, layers as L, tensor, type Tensor } from '../../src/index.js'

const acts = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'swish', 'gelu'] as const

const denseArb = fc.record({ units: fc.integer({ min: 1, max: 5 }), activation: fc.constantFrom(...acts), useBias: fc.boolean(), init: fc.constantFrom('glorotUniform', 'heNormal', 'lecunUniform', 'zeros', 'randomNormal') })

type Step = { kind: 'dense'; units: number; activation: (typeof acts)[number]; useBias: boolean; init: string } | { kind: 'dropout'; rate: number } | { kind: 'act'; a: (typeof acts)[number] } | { kind: 'reshape' } | { kind: 'leaky'; alpha: number }

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  denseArb.map((d) => ({ kind: 'dense' as const, ...d })),
  fc.double({ min: 0, max: 0.9, noNaN: true }).map((rate) => ({ kind: 'dropout' as const, rate })),
  fc.constantFrom(...acts).map((a) => ({ kind: 'act' as const, a })),
  fc.constant({ kind: 'reshape' as const }),
  fc.double({ min: 0.01, max: 0.5, noNaN: true }).map((alpha) => ({ kind: 'leaky' as const, alpha }))
)

const data = (rows: number, cols: number, seed: number) => tensor(Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => Math.sin(seed + i * 3.7 + j * 1.1))))

/** A built Sequential model and a batch for it. */
export const sequentialArb = fc.record({ inDim: fc.integer({ min: 1, max: 4 }), steps: fc.array(stepArb, { minLength: 1, maxLength: 5 }), seed: fc.integer({ min: 0, max: 1000 }), viaInput: fc.boolean() }).map(({ inDim, steps, seed, viaInput }) => {
  let dim = inDim
  const layers = steps.map((s) => {
    switch (s.kind) {
      case 'dense':
        dim = s.units
        return dense(s.units, { activation: s.activation, useBias: s.useBias, kernelInitializer: s.init as never })
      case 'dropout':
        return dropout(s.rate)
      case 'act':
        return activation(s.a)
      case 'leaky':
        return L.leakyRelu({ alpha: s.alpha })
      case 'reshape':
        return L.reshape([dim, 1])
    }
  })
  // a reshape to [dim, 1] is followed by a flatten, so shapes stay rank 2
  const withFlatten = layers.flatMap((l) => (l.kind === 'Reshape' ? [l, flatten()] : [l]))
  const m = viaInput ? sequential([input({ shape: [inDim] }), ...withFlatten] as never, { seed }) : sequential(withFlatten as never, { seed, inputShape: [inDim] })
  return { model: m, inputs: data(3, inDim, seed) as Tensor | ReadonlyArray<Tensor> }
})

/** A functional model with two inputs, merges, a shared dense layer and one to three outputs. */
export const functionalArb = fc.record({ d: fc.integer({ min: 1, max: 4 }), units: fc.integer({ min: 1, max: 4 }), merge: fc.constantFrom('add', 'multiply', 'average', 'concatenate'), outputs: fc.integer({ min: 1, max: 3 }), record: fc.boolean(), seed: fc.integer({ min: 0, max: 1000 }), act: fc.constantFrom(...acts) }).map((p) => {
  const a = input({ shape: [p.d], name: 'a' })
  const b = input({ shape: [p.d] })
  const shared = dense(p.units, { activation: p.act })
  const ha = call(shared, a)
  const hb = call(shared, b)
  const merged = call(p.merge === 'add' ? L.add() : p.merge === 'multiply' ? multiply() : p.merge === 'average' ? average() : concatenate(), [ha, hb])
  const outs = [call(dense(2), merged), ha, call(dropout(0.5), hb)].slice(0, p.outputs)
  const outputs = p.record ? Object.fromEntries(outs.map((o, i) => [`o${i}`, o])) : outs.length === 1 ? outs[0] : outs
  const m = model({ inputs: [a, b], outputs, seed: p.seed })
  return { model: m, inputs: [data(3, p.d, p.seed), data(3, p.d, p.seed + 1)] as Tensor | ReadonlyArray<Tensor> }
})

/** Any model io saves. */
export const modelArb = fc.oneof(sequentialArb, functionalArb)
