'use strict'
// mqtt-packet 9.0.2 (the devDependency) as the reference parser, with the two
// fixes of its git head that mqttwire follows:
//  - AUTH with remaining length 0 (reason code 0, no properties);
//  - a duplicated user property whose first value is '' is still collected.

const MqttPacketParser = require('mqtt-packet/parser')
const constants = require('mqtt-packet/constants')
const mqttPacket = require('mqtt-packet')

class FixedParser extends MqttPacketParser {
  _parseAuth () {
    if (this.settings.protocolVersion === 5 && this.packet.length === 0) {
      this.packet.reasonCode = 0
      return true
    }
    return super._parseAuth()
  }

  _parseProperties () {
    const length = this._parseVarByteNum()
    const start = this._pos
    const end = start + length
    const result = {}
    while (this._pos < end) {
      const type = this._parseByte()
      if (!type) {
        this._emitError(new Error('Cannot parse property code type'))
        return false
      }
      const name = constants.propertiesCodes[type]
      if (!name) {
        this._emitError(new Error('Unknown property'))
        return false
      }
      if (name === 'userProperties') {
        if (!result[name]) result[name] = Object.create(null)
        const pair = this._parseByType(constants.propertiesTypes[name])
        const cur = result[name][pair.name]
        if (cur !== undefined) {
          if (Array.isArray(cur)) cur.push(pair.value)
          else result[name][pair.name] = [cur, pair.value]
        } else {
          result[name][pair.name] = pair.value
        }
        continue
      }
      if (result[name]) {
        if (Array.isArray(result[name])) {
          result[name].push(this._parseByType(constants.propertiesTypes[name]))
        } else {
          result[name] = [result[name]]
          result[name].push(this._parseByType(constants.propertiesTypes[name]))
        }
      } else {
        result[name] = this._parseByType(constants.propertiesTypes[name])
      }
    }
    return result
  }
}

function referenceParser (opts) {
  return new FixedParser().parser(opts)
}

module.exports = {
  referenceParser,
  generate: mqttPacket.generate,
  writeToStream: mqttPacket.writeToStream,
  MqttPacketParser
}
