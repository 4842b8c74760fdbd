/**
 * Keras's published update rules (Keras 3 `keras/optimizers/*.py`), transcribed in float64 JavaScript,
 * one flat parameter vector at a time. The tests compare the optimizers against these.
 */
export type Step = (p: number[], g: number[]) => number[]
export type Rule = () => Step

const zeros = (n: number): number[] => new Array<number>(n).fill(0)

export const kerasSgd = (lr = 0.01, momentum = 0, nesterov = false): Rule => () => {
  let m: number[] | undefined
  return (p, g) => {
    if (momentum === 0) return p.map((x, i) => x - g[i] * lr)
    m ??= zeros(p.length)
    const mm = m.map((v, i) => -g[i] * lr + v * momentum)
    m = mm
    return nesterov ? p.map((x, i) => x + (-g[i] * lr + mm[i] * momentum)) : p.map((x, i) => x + mm[i])
  }
}

export const kerasAdam = (lr = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-7, weightDecay = 0): Rule => () => {
  let t = 0
  let m: number[] = []
  let v: number[] = []
  return (p0, g) => {
    if (t === 0) {
      m = zeros(p0.length)
      v = zeros(p0.length)
    }
    t++
    const p = weightDecay ? p0.map((x) => x - x * weightDecay * lr) : p0
    const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t)
    m = m.map((x, i) => x + (g[i] - x) * (1 - b1))
    v = v.map((x, i) => x + (g[i] * g[i] - x) * (1 - b2))
    return p.map((x, i) => x - (m[i] * alpha) / (Math.sqrt(v[i]) + eps))
  }
}

export const kerasRmsprop = (lr = 0.001, rho = 0.9, momentum = 0, eps = 1e-7, centered = false): Rule => () => {
  let v: number[] | undefined
  let a: number[] = []
  let mv: number[] = []
  return (p, g) => {
    if (v === undefined) {
      v = zeros(p.length)
      a = zeros(p.length)
      mv = zeros(p.length)
    }
    v = v.map((x, i) => rho * x + (1 - rho) * g[i] * g[i])
    const vv = v
    if (centered) a = a.map((x, i) => rho * x + (1 - rho) * g[i])
    const denom = vv.map((x, i) => (centered ? x - a[i] * a[i] + eps : x + eps))
    const inc = g.map((gi, i) => (lr * gi) / Math.sqrt(denom[i]))
    if (momentum > 0) {
      mv = mv.map((x, i) => momentum * x + inc[i])
      return p.map((x, i) => x - mv[i])
    }
    return p.map((x, i) => x - inc[i])
  }
}

export const kerasAdagrad = (lr = 0.001, init = 0.1, eps = 1e-7): Rule => () => {
  let acc: number[] | undefined
  return (p, g) => {
    acc = (acc ?? new Array<number>(p.length).fill(init)).map((x, i) => x + g[i] * g[i])
    const a = acc
    return p.map((x, i) => x - (lr * g[i]) / Math.sqrt(a[i] + eps))
  }
}

export const kerasAdadelta = (lr = 0.001, rho = 0.95, eps = 1e-7): Rule => () => {
  let ag: number[] | undefined
  let ad: number[] = []
  return (p, g) => {
    if (ag === undefined) {
      ag = zeros(p.length)
      ad = zeros(p.length)
    }
    ag = ag.map((x, i) => rho * x + (1 - rho) * g[i] * g[i])
    const agg = ag
    const dv = g.map((gi, i) => -(Math.sqrt(ad[i] + eps) * gi) / Math.sqrt(agg[i] + eps))
    ad = ad.map((x, i) => rho * x + (1 - rho) * dv[i] * dv[i])
    return p.map((x, i) => x + lr * dv[i])
  }
}

export const kerasAdamax = (lr = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-7): Rule => () => {
  let t = 0
  let m: number[] = []
  let u: number[] = []
  return (p, g) => {
    if (t === 0) {
      m = zeros(p.length)
      u = zeros(p.length)
    }
    t++
    m = m.map((x, i) => x + (g[i] - x) * (1 - b1))
    u = u.map((x, i) => Math.max(b2 * x, Math.abs(g[i])))
    return p.map((x, i) => x - (lr * m[i]) / ((1 - b1 ** t) * (u[i] + eps)))
  }
}

export const kerasNadam = (lr = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-7): Rule => () => {
  let t = 0
  let uProduct = 1
  let m: number[] = []
  let v: number[] = []
  return (p, g) => {
    if (t === 0) {
      m = zeros(p.length)
      v = zeros(p.length)
    }
    // _backend_update_step: the product is updated before update_step reads it
    uProduct = uProduct * b1 * (1 - 0.5 * 0.96 ** (t + 1))
    const localStep = t + 1
    const uT = b1 * (1 - 0.5 * 0.96 ** localStep)
    const uT1 = b1 * (1 - 0.5 * 0.96 ** (localStep + 1))
    const uProductT1 = uProduct * uT1
    const b2Power = b2 ** localStep
    m = m.map((x, i) => x + (g[i] - x) * (1 - b1))
    v = v.map((x, i) => x + (g[i] * g[i] - x) * (1 - b2))
    const mHat = m.map((x, i) => (uT1 * x) / (1 - uProductT1) + ((1 - uT) * g[i]) / (1 - uProduct))
    const vHat = v.map((x) => x / (1 - b2Power))
    t++
    return p.map((x, i) => x - (mHat[i] * lr) / (Math.sqrt(vHat[i]) + eps))
  }
}
