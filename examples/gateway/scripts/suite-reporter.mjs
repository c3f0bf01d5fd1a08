// node:test reporter used by aedes-suite.js: one JSON line per finished test,
// so the driver can count leaf tests and name the failures without parsing TAP.
export default async function * jsonLines (source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue
    const d = event.data
    const details = d.details || {}
    const err = details.error
    yield JSON.stringify({
      status: event.type === 'test:pass' ? 'pass' : 'fail',
      name: d.name,
      file: d.file || null,
      nesting: d.nesting,
      kind: details.type || 'test', // 'suite' for describe() blocks
      skip: d.skip !== undefined && d.skip !== false,
      todo: d.todo !== undefined && d.todo !== false,
      durationMs: details.duration_ms,
      error: err ? String((err.cause && err.cause.message) || err.message || err).slice(0, 500) : undefined
    }) + '\n'
  }
}
