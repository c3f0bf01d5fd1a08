#!/usr/bin/env node
'use strict'
// Summarise a V8 .cpuprofile (node --cpu-prof): top functions by self time,
// and optionally by total (inclusive) time.
//
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/run.js --only w1 --paths mqttwire --rounds 30
//   node bench/profile-summary.js /tmp/prof/*.cpuprofile [--top 30] [--packets N] [--total] [--lines] [--match lib/]
//
// --packets N   also print ns per packet (N = packets processed while profiling,
//               e.g. (rounds + warm-up + 1 check) x packets of the workload)
// --total       also list the top functions by inclusive time
// --lines       also list the top source lines by samples (V8's position
//               ticks: a function inlined into another counts at its own lines,
//               which the function list charges to the caller), with their text
// --match STR   only list functions whose name or file contains STR

const fs = require('node:fs')
const path = require('node:path')

function parseArgs (argv) {
  const o = { files: [], top: 25, packets: 0, total: false, lines: false, match: null }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--top') o.top = Number(argv[++i])
    else if (a === '--packets') o.packets = Number(argv[++i])
    else if (a === '--total') o.total = true
    else if (a === '--lines') o.lines = true
    else if (a === '--match') o.match = argv[++i]
    else o.files.push(a)
  }
  if (o.files.length === 0) {
    console.error('usage: node bench/profile-summary.js FILE.cpuprofile [--top N] [--packets N] [--total] [--lines] [--match STR]')
    process.exit(2)
  }
  return o
}

function shortFile (url) {
  let file = url.replace(/^file:\/\//, '')
  const root = path.join(__dirname, '..') + path.sep
  if (file.startsWith(root)) file = file.slice(root.length)
  return file.replace(/^.*node_modules\//, '')
}

function label (cf) {
  const name = cf.functionName || '(anonymous)'
  if (!cf.url) return name
  return `${name}  ${shortFile(cf.url)}:${cf.lineNumber + 1}`
}

// The text of line `line` (1-based) of a file:// script, or ''.
const sources = new Map()
function sourceLine (url, line) {
  if (!url.startsWith('file://')) return ''
  if (!sources.has(url)) {
    let lines = []
    try { lines = fs.readFileSync(url.slice('file://'.length), 'utf8').split('\n') } catch {}
    sources.set(url, lines)
  }
  return (sources.get(url)[line - 1] || '').trim()
}

function summarize (file, o) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'))
  const byId = new Map()
  for (const n of prof.nodes) byId.set(n.id, n)
  const parent = new Map()
  for (const n of prof.nodes) for (const c of n.children || []) parent.set(c, n.id)

  // self time per node from samples x timeDeltas (microseconds)
  const selfUs = new Map()
  const { samples, timeDeltas } = prof
  for (let i = 0; i < samples.length; i++) {
    const dt = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : 0
    selfUs.set(samples[i], (selfUs.get(samples[i]) || 0) + Math.max(0, dt))
  }
  const totalUs = prof.endTime - prof.startTime
  let idleUs = 0

  const self = new Map() // label -> us
  const incl = new Map() // label -> us (counted once per sample stack)
  for (const [id, us] of selfUs) {
    const n = byId.get(id)
    const l = label(n.callFrame)
    if (n.callFrame.functionName === '(idle)') idleUs += us
    self.set(l, (self.get(l) || 0) + us)
    const seen = new Set()
    for (let x = id; x !== undefined; x = parent.get(x)) {
      const lx = label(byId.get(x).callFrame)
      if (seen.has(lx)) continue
      seen.add(lx)
      incl.set(lx, (incl.get(lx) || 0) + us)
    }
  }
  const busyUs = totalUs - idleUs
  const keep = (l) => o.match === null || l.includes(o.match)
  const print = (title, map) => {
    console.log(`\n${title}`)
    console.log(`  ${'ms'.padStart(9)} ${'%busy'.padStart(6)}${o.packets ? ' ns/pkt'.padStart(8) : ''}  function  file:line`)
    const rows = [...map].filter(([l]) => keep(l)).sort((a, b) => b[1] - a[1]).slice(0, o.top)
    for (const [l, us] of rows) {
      const perPkt = o.packets ? ((us * 1000) / o.packets).toFixed(1).padStart(8) : ''
      console.log(`  ${(us / 1000).toFixed(1).padStart(9)} ${((100 * us) / busyUs).toFixed(1).padStart(6)}${perPkt}  ${l}`)
    }
  }
  console.log(`${file}: ${(totalUs / 1000).toFixed(0)} ms profiled, ${(busyUs / 1000).toFixed(0)} ms busy, ${samples.length} samples`)
  print('top by self time', self)
  if (o.total) print('top by total (inclusive) time', incl)
  if (o.lines) {
    // position ticks count samples; a sample's share of the busy time
    const ticks = new Map() // 'file:line' -> [ticks, url, line]
    for (const n of prof.nodes) {
      if (!n.positionTicks || !n.callFrame.url) continue
      for (const t of n.positionTicks) {
        const k = `${shortFile(n.callFrame.url)}:${t.line}`
        const e = ticks.get(k) || [0, n.callFrame.url, t.line]
        e[0] += t.ticks
        ticks.set(k, e)
      }
    }
    const usPerTick = busyUs / Math.max(1, samples.length)
    console.log('\ntop source lines by samples')
    console.log(`  ${'ms'.padStart(9)} ${'%busy'.padStart(6)}${o.packets ? ' ns/pkt'.padStart(8) : ''}  file:line  text`)
    const rows = [...ticks].filter(([k]) => keep(k)).sort((a, b) => b[1][0] - a[1][0]).slice(0, o.top)
    for (const [k, [n, url, line]] of rows) {
      const us = n * usPerTick
      const perPkt = o.packets ? ((us * 1000) / o.packets).toFixed(1).padStart(8) : ''
      console.log(`  ${(us / 1000).toFixed(1).padStart(9)} ${((100 * us) / busyUs).toFixed(1).padStart(6)}${perPkt}  ${k}  ${sourceLine(url, line).slice(0, 70)}`)
    }
  }
}

const o = parseArgs(process.argv.slice(2))
for (const f of o.files) summarize(f, o)
