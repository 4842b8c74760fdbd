/**
 * The MLP in jax-js (wasm device): the whole step — `valueAndGrad` of the loss and a hand-written Adam
 * (tfjs defaults, eps 1e-7) — wrapped in `jit`, Glorot-uniform init, loss read back every step
 * (as /work/shared/bench/anchors/mlp_jax.mjs in `jit` mode; the @jax-js/optax package is not on npm).
 *
 *   node --import tsx bench/mlp/jax.ts [--epochs 3] [--quick]
 */
import { accuracy, gatherRows, loadMnist, mulberry32, r, runChild, shuffleInPlace } from '../common.js'
import { jaxAdamStep } from '../jaxAdam.js'
import { MLP } from '../config.js'
import { EpochClock, mlpArgs } from './common.js'

const main = async (): Promise<Record<string, unknown>> => {
  const { epochs, quick } = mlpArgs(process.argv.slice(2))
  const jax = await import('@jax-js/jax')
  type JArray = import('@jax-js/jax').Array
  type P = Record<string, JArray>
  const { numpy: np, nn, random, tree, jit, valueAndGrad, init, defaultDevice } = jax
  await init('wasm') // init() without arguments touches `navigator` and throws in Node 20
  defaultDevice('wasm')
  const clock = new EpochClock()
  const data = loadMnist()
  clock.dataLoaded()
  const B = MLP.batch
  const dims = MLP.dims
  const { beta1: B1, beta2: B2, eps: EPS } = MLP

  const initParams = (seed: number): P => {
    const keys = random.split(random.key(seed), 3)
    const p: P = {}
    for (let l = 0; l < 3; l++) {
      const lim = Math.sqrt(6 / (dims[l] + dims[l + 1]))
      p[`w${l}`] = random.uniform(keys.ref.slice(l), [dims[l], dims[l + 1]], { minval: -lim, maxval: lim })
      p[`b${l}`] = np.zeros([dims[l + 1]])
    }
    keys.dispose()
    return p
  }
  const logits = (p: P, x: JArray): JArray => {
    const h1 = nn.relu(np.dot(x, p.w0).add(p.b0))
    const h2 = nn.relu(np.dot(h1, p.w1).add(p.b1))
    return np.dot(h2, p.w2).add(p.b2)
  }
  const loss = (p: P, x: JArray, y1: JArray): JArray => nn.logSoftmax(logits(p, x)).mul(y1).sum().mul(-1 / x.shape[0])
  const step = jaxAdamStep(jax, loss, MLP)
  const logitsJit = jit(logits)

  let params = initParams(0)
  let mS = tree.map((a: JArray) => np.zeros(a.shape), params) as P
  let vS = tree.map((a: JArray) => np.zeros(a.shape), params) as P
  const rand = mulberry32(1)
  const N = data.train.n
  const xb = new Float32Array(B * 784)
  const yb = new Float32Array(B * 10)
  const trainLoss: number[] = []
  let t = 0
  clock.trainBegin()
  for (let e = 0; e < epochs; e++) {
    clock.epochStart()
    const order = shuffleInPlace([...Array(N).keys()], rand)
    let sum = 0
    for (let b = 0; b * B < N; b++) {
      const ids = order.slice(b * B, (b + 1) * B)
      const n = ids.length
      const x = np.array(gatherRows(data.train.X, 784, ids, xb).slice(0, n * 784)).reshape([n, 784])
      const y1 = np.array(gatherRows(data.train.Y1, 10, ids, yb).slice(0, n * 10)).reshape([n, 10])
      t++
      const lrT = np.array((MLP.lr * Math.sqrt(1 - B2 ** t)) / (1 - B1 ** t))
      const [l, p2, m2, v2] = step(params, mS, vS, lrT, x, y1)
      params = p2
      mS = m2
      vS = v2
      sum += l.dataSync()[0] * n // forces execution every step
      clock.step()
    }
    clock.epochEnd()
    trainLoss.push(r(sum / N, 4))
  }
  const xt = np.array(data.test.X).reshape([data.test.n, 784])
  const scores = logitsJit(tree.ref(params), xt).dataSync()
  return {
    backend: 'wasm',
    version: '0.1.25',
    mode: 'jit',
    epochs,
    quick,
    nTrain: N,
    nTest: data.test.n,
    batch: B,
    trainLoss,
    testAcc: r(accuracy(scores, data.test.y), 4),
    ...clock.summary(N)
  }
}

runChild({ bench: 'mlp', id: 'jax-wasm', lib: 'jax-js', api: 'jit(valueAndGrad + hand-written Adam)' }, main)
