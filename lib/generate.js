'use strict'

const { encode, state } = require('./encode')

// Encodes `packet` into a single Buffer. Throws the same errors as
// mqtt-packet's generate(); returns an empty Buffer when mqtt-packet would
// silently drop the packet.
function generate (packet, opts) {
  const buf = encode(packet, opts)
  if (buf !== null) return buf
  if (state.error !== null) throw new Error(state.error)
  return Buffer.allocUnsafe(0)
}

module.exports = generate
