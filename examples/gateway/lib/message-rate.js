// Counts the PUBLISH packets clients send to the broker, for GET /health:
// a total and the rate over the last few whole seconds. Messages Aedes
// publishes itself ($SYS, no client) are not counted.
const WINDOW_SEC = 5

export function messageRate (broker, now = Date.now) {
  const buckets = new Array(WINDOW_SEC + 1).fill(0) // one per second, ring
  const stamps = new Array(WINDOW_SEC + 1).fill(-1) // the second each bucket holds
  let total = 0

  broker.on('publish', (packet, client) => {
    if (!client) return
    total++
    const sec = Math.floor(now() / 1000)
    const i = sec % buckets.length
    if (stamps[i] !== sec) { stamps[i] = sec; buckets[i] = 0 }
    buckets[i]++
  })

  return {
    total: () => total,
    /** Messages a second over the last WINDOW_SEC whole seconds (the current one left out). */
    perSecond () {
      const sec = Math.floor(now() / 1000)
      let sum = 0
      for (let s = sec - WINDOW_SEC; s < sec; s++) {
        const i = s % buckets.length
        if (stamps[i] === s) sum += buckets[i]
      }
      return Math.round((sum / WINDOW_SEC) * 10) / 10
    }
  }
}
