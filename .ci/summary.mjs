// Prints vitest's totals as the plain closing line CI reads: "Tests: N passed, N failed".
import { readFileSync } from 'node:fs'
const r = JSON.parse(readFileSync('tmp/vitest.json', 'utf8'))
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0)
console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exitCode = r.numFailedTests > 0 || r.numTotalTests === 0 ? 1 : 0
