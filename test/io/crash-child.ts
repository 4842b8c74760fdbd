/**
 * The child process of `crash.test.ts`: it saves prepared models into one directory with the real
 * commit protocol (`commitSave`, the last step of `Io.save`), either in a loop until it is killed
 * (`loop`) or a given number of times (`count`).
 *
 * argv: dir, mode ('loop' | 'count'), n (saves, for 'count'), then payload prefixes (`<p>.bin`, `<p>.json`, `<p>.name`)
 */
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { commitSave, nodeFileOps } from '../../src/io/fs.js'

const [dir, mode, n, ...prefixes] = process.argv.slice(2)
const payloads = prefixes.map((p) => ({
  bin: { name: readFileSync(`${p}.name`, 'utf8'), data: new Uint8Array(readFileSync(`${p}.bin`)) },
  json: { name: 'model.json', data: new Uint8Array(readFileSync(`${p}.json`)) }
}))

const main = async (): Promise<void> => {
  process.stdout.write('ready\n')
  for (let i = 0; mode === 'loop' || i < Number(n); i++) {
    const p = payloads[i % payloads.length]
    const r = await commitSave(nodeFileOps, dir, [p.bin], p.json)()
    if (E.isLeft(r)) {
      process.stderr.write(`${r.left._tag}: ${r.left.message}\n`)
      process.exit(2)
    }
  }
}
void main()
