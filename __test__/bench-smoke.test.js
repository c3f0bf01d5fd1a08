'use strict'
// Smoke test of the Node benchmark harness: `node bench/run.js --quick --json`
// runs, passes its correctness pre-check, and reports every workload and path.
// No timing assertions: speed is measured by `npm run bench`, not by tests.

const { describe, it, before, after } = require('node:test')
const assert = require('node:assert')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const native = require('../lib/native')

const PARSE_WORKLOADS = ['w1', 'w2', 'w3', 'w5']
const ENCODE_WORKLOADS = ['w4g', 'w4w', 'w4s', 'w4d', 'w4g5', 'w4w5', 'w4s5', 'w4d5']
const PARSE_PATHS = ['mqtt-packet', 'mqttwire', 'router']
const ENCODE_PATHS = ['mqtt-packet', 'mqttwire']
const RUN = path.join(__dirname, '..', 'bench', 'run.js')

/** Runs bench/run.js with `args` plus --json into a temporary folder: { dir, stdout, out }. */
function runBench (args) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mqttwire-bench-'))
  const file = path.join(dir, 'bench.json')
  const stdout = execFileSync(process.execPath, [RUN, ...args, '--json', file], { encoding: 'utf8', timeout: 180000, maxBuffer: 16 << 20 })
  return { dir, stdout, out: JSON.parse(fs.readFileSync(file, 'utf8')) }
}

describe('bench/run.js --quick', { skip: native.hasNative ? false : 'native binding not built' }, () => {
  let dir
  let out
  let stdout
  before(() => { ({ dir, stdout, out } = runBench(['--quick'])) })
  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }) })

  it('passes the correctness pre-check', () => {
    assert.match(stdout, /correctness pre-check: PASSED/)
    assert.strictEqual(out.correctness.passed, true)
    assert.ok(out.correctness.checks.length > 0)
    for (const c of out.correctness.checks) assert.strictEqual(c.ok, true, `${c.workload} ${c.path}: ${c.message}`)
  })

  it('describes the machine', () => {
    assert.ok(out.machine.cores > 0)
    assert.strictEqual(typeof out.machine.cpuModel, 'string')
    assert.strictEqual(out.machine.node, process.version)
  })

  it('records its method: a forced gc and an untimed settle pass before each timed pass', () => {
    assert.strictEqual(out.options.gcBetweenRounds, true)
    assert.strictEqual(out.options.settlePass, true)
    assert.match(stdout, /untimed settle pass after each gc: true/)
    // --quick: a sample is one pass (the full run: passes until >= 100 ms of timed work)
    assert.strictEqual(out.options.minSampleMs, 0)
  })

  const positive = (x, what) => assert.ok(typeof x === 'number' && isFinite(x) && x > 0, `${what} = ${x}`)

  it('reports every workload and path with positive numbers', () => {
    const rows = Object.fromEntries(out.workloads.map((r) => [r.workload, r]))
    for (const [names, paths] of [[PARSE_WORKLOADS, PARSE_PATHS], [ENCODE_WORKLOADS, ENCODE_PATHS]]) {
      for (const w of names) {
        assert.ok(rows[w], `workload ${w} missing`)
        positive(rows[w].packets, `${w}.packets`)
        positive(rows[w].bytes, `${w}.bytes`)
        for (const p of paths) {
          const r = rows[w].results[p]
          assert.ok(r, `${w}: path ${p} missing`)
          positive(r.packetsPerSec, `${w}.${p}.packetsPerSec`)
          positive(r.mbPerSec, `${w}.${p}.mbPerSec`)
          positive(r.ratio, `${w}.${p}.ratio`)
          positive(r.min, `${w}.${p}.min`)
          assert.ok(r.max >= r.min)
          assert.strictEqual(r.roundsMs.length, out.options.rounds)
          assert.strictEqual(r.passesPerSample, 1, `${w}.${p}.passesPerSample`)
          // the collections that started in its timed passes, a pass
          for (const k of ['gcMsPerPass', 'scavengesPerPass']) assert.ok(Number.isFinite(r[k]) && r[k] >= 0, `${w}.${p}.${k}: ${r[k]}`)
          // the per-round ratio: mqtt-packet's round time over this path's, round by round
          const base = rows[w].results['mqtt-packet'].roundsMs
          const q = r.roundsMs.map((ms, i) => base[i] / ms).sort((a, b) => a - b)
          const mid = (q.length - 1) / 2
          const median = (q[Math.floor(mid)] + q[Math.ceil(mid)]) / 2
          assert.ok(Math.abs(r.roundRatio - median) < 1e-9 * median, `${w}.${p}.roundRatio ${r.roundRatio} vs ${median}`)
          assert.ok(r.roundRatioP10 <= r.roundRatio && r.roundRatio <= r.roundRatioP90, `${w}.${p} p10 <= median <= p90`)
          assert.ok(r.roundRatioP10 >= q[0] - 1e-9 && r.roundRatioP90 <= q[q.length - 1] + 1e-9, `${w}.${p} within the rounds' ratios`)
        }
      }
    }
  })

  it('gives each goal its per-round paired ratio next to the ratio of medians that decides it', () => {
    const rows = Object.fromEntries(out.workloads.map((r) => [r.workload, r]))
    const median = (q) => { q.sort((a, b) => a - b); const mid = (q.length - 1) / 2; return (q[Math.floor(mid)] + q[Math.ceil(mid)]) / 2 }
    for (const g of [...out.goals, ...out.goalsInfo]) {
      const r = rows[g.workload].results[g.path]
      const other = rows[g.workload].results['mqtt-packet']
      const want = median(r.roundsMs.map((ms, i) => other.roundsMs[i] / ms))
      assert.ok(Math.abs(g.perRound - want) < 1e-9 * want, `${g.workload} ${g.path} ${g.goal}: perRound ${g.perRound} vs ${want}`)
      assert.ok(Math.abs(g.value - r.packetsPerSec / other.packetsPerSec) < 1e-9 * g.value, `${g.workload} ${g.path}: the value is the ratio of medians`)
    }
    assert.match(stdout, /Goals \(ratios within this run: of the medians, which decides; per round, paired, in brackets\):/)
    for (const g of [...out.goals, ...out.goalsInfo]) {
      const against = rows[g.workload].results[g.against]
      assert.strictEqual(g.gcMs, rows[g.workload].results[g.path].gcMsPerPass, `${g.workload} ${g.path}: gcMs`)
      assert.strictEqual(g.otherGcMs, against.gcMsPerPass, `${g.workload} ${g.path}: otherGcMs`)
    }
  })

  it('prints each path\'s GC ms a timed pass on its row', () => {
    for (const row of out.workloads) {
      for (const [name, r] of Object.entries(row.results)) {
        const line = stdout.split('\n').find((l) => l.startsWith(`    ${name.padEnd(14)}`) && l.includes(` ${(r.packetsPerSec / 1e6).toFixed(3)} `))
        assert.ok(line, `${row.workload} ${name}: row not printed`)
        assert.ok(line.includes(`GC ${r.gcMsPerPass.toFixed(1)} ms/pass`), `${row.workload} ${name}: ${line}`)
      }
    }
  })
})

describe('bench/run.js --runs', { skip: native.hasNative ? false : 'native binding not built' }, () => {
  let dir
  let out
  let stdout
  before(() => { ({ dir, stdout, out } = runBench(['--quick', '--only', 'w1,w4', '--runs', '2'])) })
  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }) })

  const median = (xs) => { const q = xs.slice().sort((a, b) => a - b); const mid = (q.length - 1) / 2; return (q[Math.floor(mid)] + q[Math.ceil(mid)]) / 2 }

  it('makes each run a full run of its own, with the options given', () => {
    assert.strictEqual(out.runs.length, 2)
    assert.strictEqual((stdout.match(/correctness pre-check: PASSED/g) || []).length, 2 * 3, 'w1, w4 and w4 (v5) checked in each run')
    for (const run of out.runs) {
      assert.strictEqual(run.options.quick, true)
      assert.deepStrictEqual(run.workloads.map((r) => r.workload).sort(), ['w1', 'w4d', 'w4d5', 'w4g', 'w4g5', 'w4s', 'w4s5', 'w4w', 'w4w5'])
      assert.strictEqual(run.correctness.passed, true)
    }
  })

  it('decides each goal by the median over the runs of its ratio, and counts the runs that met it', () => {
    const keys = (run) => [...run.goals, ...run.goalsInfo].map((g) => `${g.workload} ${g.path} ${g.op} ${g.target}`).sort()
    const all = [...out.goals, ...out.goalsInfo]
    assert.deepStrictEqual(all.map((g) => `${g.workload} ${g.path} ${g.op} ${g.target}`).sort(), keys(out.runs[0]))
    assert.ok(out.goals.some((g) => g.workload === 'w4s'))
    for (const g of all) {
      const per = out.runs.map((run) => [...run.goals, ...run.goalsInfo].find((x) => x.workload === g.workload && x.path === g.path && x.op === g.op && x.target === g.target))
      assert.deepStrictEqual(g.runs.map((r) => r.value), per.map((x) => x.value))
      assert.deepStrictEqual(g.runs.map((r) => [r.gcMs, r.otherGcMs]), per.map((x) => [x.gcMs, x.otherGcMs]))
      const want = median(per.map((x) => x.value))
      assert.ok(Math.abs(g.value - want) < 1e-9 * want, `${g.workload} ${g.path}: median ${g.value} vs ${want}`)
      assert.ok(Math.abs(g.perRound - median(per.map((x) => x.perRound))) < 1e-9 * g.perRound)
      if (g.info) continue
      const target = g.op === '>=' ? g.target : g.op === '>=js' ? 0.95 : 1
      assert.strictEqual(g.pass, g.op === '>js' ? g.value > target : g.value >= target, `${g.workload} ${g.path} verdict`)
      assert.strictEqual(g.passedRuns, per.filter((x) => x.pass).length)
      const line = `${g.pass ? 'PASS' : 'FAIL'}  ${g.workload.padEnd(5)} ${g.path.padEnd(10)} median`
      assert.ok(stdout.includes(line), `printed: ${line}`)
      assert.ok(stdout.includes(`met in ${g.passedRuns} of 2 runs`))
      assert.ok(stdout.includes(`          GC ms/pass ${g.path} ${g.runs.map((r) => r.gcMs.toFixed(1)).join(' ')}; ${g.against} `), `${g.workload} ${g.path}: GC line`)
    }
  })

  it('refuses a run count that is not a whole number >= 1, and --profile with it', () => {
    for (const [args, msg] of [[['--runs', '0'], /--runs takes a whole number >= 1, got 0/], [['--runs', '1.5'], /got 1\.5/], [['--runs', '2', '--profile', path.join(os.tmpdir(), 'x')], /--profile profiles one run; drop --runs/]]) {
      assert.throws(() => execFileSync(process.execPath, [RUN, '--quick', ...args], { encoding: 'utf8', stdio: 'pipe' }), (err) => msg.test(err.stderr))
    }
  })
})

describe('bench/stream-floor.js', { skip: native.hasNative ? false : 'native binding not built' }, () => {
  const FLOOR = path.join(__dirname, '..', 'bench', 'stream-floor.js')
  const floor = (args) => execFileSync(process.execPath, [FLOOR, ...args], { encoding: 'utf8', timeout: 180000, maxBuffer: 16 << 20 })

  it('times every side in one process and gives each ratio from the same rounds', () => {
    const out = floor(['--rounds', '1', '--min-ms', '0'])
    const ns = {}
    for (const name of ['write floor', 'copy floor', 'mqttwire', 'mqtt-packet']) {
      // ns/pkt, min–max, passes/sample, scavenges/pass, GC ms/pass, heap B/pkt ('-' if every try was collected in)
      const m = out.match(new RegExp(`^${name} +(\\d+) +\\d+–\\d+ +[\\d.]+ +[\\d.]+ +[\\d.]+ +(\\d+|-)$`, 'm'))
      assert.ok(m, `no row for ${name} in:\n${out}`)
      ns[name] = Number(m[1])
      assert.ok(ns[name] > 0 && (m[2] === '-' || Number(m[2]) > 0), `${name}: ${m[0]}`)
    }
    // one round: each ratio is the quotient of the two sides' times in it
    for (const [a, b] of [['mqtt-packet', 'mqttwire'], ['mqtt-packet', 'copy floor'], ['mqtt-packet', 'write floor'], ['mqttwire', 'copy floor']]) {
      const m = out.match(new RegExp(`^  ${a} / ${b} +([\\d.]+)x`, 'm'))
      assert.ok(m, `no ratio ${a} / ${b} in:\n${out}`)
      const want = ns[a] / ns[b]
      assert.ok(Math.abs(Number(m[1]) - want) <= want * 0.02 + 0.01, `${a} / ${b}: printed ${m[1]}, the rows give ${want.toFixed(2)}`)
    }
  })

  it('--runs makes each run a process of its own and takes the median of their w4s ratios', () => {
    const out = floor(['--runs', '3', '--rounds', '1', '--min-ms', '0', '--sides', 'mqttwire,mqtt-packet'])
    const rows = [...out.matchAll(/^(\d) +(\d+) +(\d+) +[\d.]+ +([\d.]+)x$/gm)]
    assert.deepStrictEqual(rows.map((r) => r[1]), ['1', '2', '3'], out)
    const ratios = rows.map((r) => Number(r[4]))
    for (const r of rows) {
      const want = Number(r[3]) / Number(r[2])
      assert.ok(Math.abs(Number(r[4]) - want) <= want * 0.02 + 0.01, `run ${r[1]}: ${r[0]}`)
    }
    const sorted = [...ratios].sort((x, y) => x - y)
    const m = out.match(/^w4s ratio over the runs: median ([\d.]+)x, ([\d.]+)–([\d.]+)$/m)
    assert.ok(m, out)
    assert.deepStrictEqual([Number(m[1]), Number(m[2]), Number(m[3])], [sorted[1], sorted[0], sorted[2]])
  })

  it('--fanout writes the same packets over 2,000 streams, a few to each of 250 streams a tick', () => {
    const out = floor(['--fanout', '--rounds', '1', '--min-ms', '0', '--sides', 'mqttwire,mqtt-packet'])
    const head = out.match(/^writeToStream as a gateway fans out: 100000 3\.1\.1 PUBLISH, [\d.]+ MB, in (\d+) ticks over 2000 stream\.Writables \(highWaterMark 16384\), 1-4 packets to each of 250 streams a tick/m)
    assert.ok(head, out)
    // 250 streams a tick, 2.5 packets each on average: ~160 ticks for 100k packets
    assert.ok(Number(head[1]) > 100 && Number(head[1]) < 250, `ticks: ${head[1]}`)
    const ns = {}
    for (const name of ['mqttwire', 'mqtt-packet']) {
      const m = out.match(new RegExp(`^${name} +(\\d+) `, 'm'))
      assert.ok(m, `no row for ${name} in:\n${out}`)
      ns[name] = Number(m[1])
    }
    const m = out.match(/^ {2}mqtt-packet \/ mqttwire +([\d.]+)x {2}\(the fan-out ratio\)$/m)
    assert.ok(m, out)
    const want = ns['mqtt-packet'] / ns.mqttwire
    assert.ok(Math.abs(Number(m[1]) - want) <= want * 0.02 + 0.01, `printed ${m[1]}, the rows give ${want.toFixed(2)}`)
  })

  it('refuses unknown sides and counts that are not whole numbers >= 1', () => {
    for (const [args, msg] of [[['--sides', 'mqtt'], /--sides takes names from write floor, copy floor, mqttwire, mqtt-packet \(comma-separated\), got mqtt/], [['--runs', '0'], /--runs takes a whole number >= 1, got 0/], [['--rounds', '2.5'], /--rounds takes a whole number >= 1, got 2\.5/], [['--min-ms', '-1'], /--min-ms takes a number >= 0, got -1/]]) {
      assert.throws(() => execFileSync(process.execPath, [FLOOR, ...args], { encoding: 'utf8', stdio: 'pipe' }), (err) => msg.test(err.stderr))
    }
  })
})
