/**
 * The jax-js side of every benchmark case: one jitted training step, `valueAndGrad` of the case's loss
 * then Adam with a bias-corrected learning rate `lrT` (what tensorfold's and TensorFlow.js's Adam do).
 * jax-js ownership: every call consumes its array arguments; `.ref` / `tree.ref` keep a reference.
 */
type Jax = typeof import('@jax-js/jax')
type JArray = import('@jax-js/jax').Array
type P = Record<string, JArray>

/** `step(p, m, v, lrT, x, y) -> [loss, p', m', v']`, jitted. */
export const jaxAdamStep = (jax: Jax, loss: (p: P, x: JArray, y: JArray) => JArray, o: { readonly beta1: number; readonly beta2: number; readonly eps: number }) => {
  const { numpy: np, tree, jit, valueAndGrad } = jax
  const { beta1: B1, beta2: B2, eps: EPS } = o
  const adam = (p: P, g: P, m: P, v: P, lrT: JArray): [P, P, P] => {
    const m2 = tree.map((mi: JArray, gi: JArray) => mi.mul(B1).add(gi.ref.mul(1 - B1)), m, g) as P
    const v2 = tree.map((vi: JArray, gi: JArray) => vi.mul(B2).add(gi.ref.mul(gi).mul(1 - B2)), v, g) as P
    const p2 = tree.map((pi: JArray, mi: JArray, vi: JArray) => pi.sub(mi.mul(lrT.ref).div(np.sqrt(vi).add(EPS))), p, tree.ref(m2), tree.ref(v2)) as P
    lrT.dispose()
    return [p2, m2, v2]
  }
  return jit((p: P, m: P, v: P, lrT: JArray, x: JArray, y: JArray) => {
    const [l, g] = valueAndGrad(loss)(tree.ref(p), x, y)
    const [p2, m2, v2] = adam(p, g as P, m, v, lrT)
    return [l, p2, m2, v2] as [JArray, P, P, P]
  })
}
