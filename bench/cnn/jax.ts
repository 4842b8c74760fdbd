/**
 * The CNN in jax-js (wasm device), NCHW as `lax.convGeneralDilated` wants it: conv (`[out, in, 3, 3]`
 * kernels, VALID) + relu, max pooling with `lax.reduceWindow` (2×2, stride 2), twice, then the dense
 * head; the whole step — `valueAndGrad` of the cross-entropy and a hand-written Adam (tfjs defaults,
 * eps 1e-7) — under `jit`, Glorot-uniform init, loss read back every step (as bench/mlp/jax.ts).
 *
 *   node --import tsx bench/cnn/jax.ts [--epochs 3] [--quick]
 */
import { accuracy, gatherRows, loadMnist, mulberry32, r, runChild, shuffleInPlace } from '../common.js'
import { jaxAdamStep } from '../jaxAdam.js'
import { EpochClock, mlpArgs } from '../mlp/common.js'
import { CNN, trainSize } from './common.js'

const main = async (): Promise<Record<string, unknown>> => {
  const { epochs, quick } = mlpArgs(process.argv.slice(2))
  const jax = await import('@jax-js/jax')
  type JArray = import('@jax-js/jax').Array
  type P = Record<string, JArray>
  const { numpy: np, nn, lax, random, tree, jit, valueAndGrad, init, defaultDevice } = jax
  await init('wasm')
  defaultDevice('wasm')
  const clock = new EpochClock()
  const data = loadMnist({ nTrain: trainSize(quick) })
  clock.dataLoaded()
  const B = CNN.batch
  const [f1, f2] = CNN.filters
  const { beta1: B1, beta2: B2, eps: EPS } = CNN

  const glorot = (k: JArray, shape: number[], fanIn: number, fanOut: number): JArray => {
    const lim = Math.sqrt(6 / (fanIn + fanOut))
    return random.uniform(k, shape, { minval: -lim, maxval: lim })
  }
  const initParams = (seed: number): P => {
    const keys = random.split(random.key(seed), 4)
    const p: P = {
      c1: glorot(keys.ref.slice(0), [f1, 1, 3, 3], 9, 9 * f1),
      b1: np.zeros([1, f1, 1, 1]),
      c2: glorot(keys.ref.slice(1), [f2, f1, 3, 3], 9 * f1, 9 * f2),
      b2: np.zeros([1, f2, 1, 1]),
      d1: glorot(keys.ref.slice(2), [f2 * 25, CNN.dense], f2 * 25, CNN.dense),
      e1: np.zeros([CNN.dense]),
      d2: glorot(keys.ref.slice(3), [CNN.dense, 10], CNN.dense, 10),
      e2: np.zeros([10])
    }
    keys.dispose()
    return p
  }
  const pool = (x: JArray): JArray => lax.reduceWindow(x, (w: JArray) => np.max(w), [2, 2], [2, 2])
  const logits = (p: P, x: JArray): JArray => {
    const h1 = pool(nn.relu(lax.convGeneralDilated(x, p.c1, [1, 1], 'VALID').add(p.b1)))
    const h2 = pool(nn.relu(lax.convGeneralDilated(h1, p.c2, [1, 1], 'VALID').add(p.b2)))
    const flat = h2.reshape([h2.shape[0], f2 * 25])
    return np.dot(nn.relu(np.dot(flat, p.d1).add(p.e1)), p.d2).add(p.e2)
  }
  const loss = (p: P, x: JArray, y1: JArray): JArray => nn.logSoftmax(logits(p, x)).mul(y1).sum().mul(-1 / x.shape[0])
  const step = jaxAdamStep(jax, loss, CNN)
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
      // [n, 784] pixels are [n, 1, 28, 28] in NCHW (one channel)
      const x = np.array(gatherRows(data.train.X, 784, ids, xb).slice(0, n * 784)).reshape([n, 1, 28, 28])
      const y1 = np.array(gatherRows(data.train.Y1, 10, ids, yb).slice(0, n * 10)).reshape([n, 10])
      t++
      const lrT = np.array((CNN.lr * Math.sqrt(1 - B2 ** t)) / (1 - B1 ** t))
      const [l, p2, m2, v2] = step(params, mS, vS, lrT, x, y1)
      params = p2
      mS = m2
      vS = v2
      sum += l.dataSync()[0] * n
      clock.step()
    }
    clock.epochEnd()
    trainLoss.push(r(sum / N, 4))
  }
  const scores = new Float32Array(data.test.n * 10)
  for (let s = 0; s < data.test.n; s += 500) {
    const n = Math.min(500, data.test.n - s)
    const xt = np.array(data.test.X.slice(s * 784, (s + n) * 784)).reshape([n, 1, 28, 28])
    scores.set(logitsJit(tree.ref(params), xt).dataSync() as Float32Array, s * 10)
  }
  return {
    backend: 'wasm',
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

runChild({ bench: 'cnn', id: 'jax-wasm', lib: 'jax-js', api: 'jit(valueAndGrad + hand-written Adam), lax.convGeneralDilated + lax.reduceWindow' }, main)
