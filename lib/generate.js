'use strict'

const { encode, Refusal } = require('./encode')

// Encodes `packet` into a single Buffer. Throws the same errors as
// mqtt-packet's generate(); returns an empty Buffer when mqtt-packet would
// silently drop the packet.
function generate (packet, opts) {
  try {
    return encode(packet, opts, null)
  } catch (err) {
    if (!(err instanceof Refusal)) throw err
    if (err.message !== null) throw new Error(err.message)
    return Buffer.allocUnsafe(0)
  }
}

module.exports = generate
