//! Any bytes, each protocol version: `parse` never panics. When it returns a
//! complete packet, encoding that packet gives back exactly the bytes it used,
//! and parsing the encoding gives the same packet.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mqttwire::{parse, parse_with, Limits, Packet, Status, Version};

const VERSIONS: [Version; 3] = [Version::V3_1, Version::V3_1_1, Version::V5];

fn check(data: &[u8], version: Version) {
    let parsed = match parse(data, version) {
        Ok(Status::Complete(p)) => p,
        Ok(Status::Partial(n)) => {
            assert!(n >= 1, "Partial(0)");
            return;
        }
        Err(e) => {
            // Error offsets point into the input (or just past it).
            assert!(e.offset <= data.len(), "offset {} > len {}", e.offset, data.len());
            return;
        }
    };
    let (packet, used): (Packet<'_>, usize) = parsed;
    assert!(used >= 2 && used <= data.len());
    let input = &data[..used];

    // A prefix of a whole packet is Partial, never an error or a packet.
    if used > 2 {
        let cut = used - 1 - (data[0] as usize % (used - 1));
        let cut = cut.min(used - 1);
        match parse(&data[..cut], version) {
            Ok(Status::Partial(n)) => assert!(n >= 1),
            other => panic!("prefix {cut}/{used} of a valid packet: {other:?}"),
        }
    }

    // Encode → same bytes.
    let mut out = Vec::new();
    let n = packet
        .encode(version, &mut out)
        .unwrap_or_else(|e| panic!("parsed packet does not encode: {e:?}\n{packet:?}"));
    assert_eq!(n, out.len());
    assert_eq!(packet.encoded_len(version).unwrap(), out.len());
    assert_eq!(out.as_slice(), input, "re-encoding differs\n{packet:?}");

    // Re-parse → same packet.
    match parse(&out, version) {
        Ok(Status::Complete((again, m))) => {
            assert_eq!(m, out.len());
            assert_eq!(again, packet);
        }
        other => panic!("re-parse of encoding failed: {other:?}"),
    }

    // A limit exactly at the size accepts it, one below refuses it.
    let at = Limits::new().max_packet_size(used);
    assert!(matches!(parse_with(data, version, &at), Ok(Status::Complete(_))));
    if used > 5 {
        let below = Limits::new().max_packet_size(used - 1);
        assert!(parse_with(data, version, &below).is_err());
    }

    // to_vec agrees with encode.
    assert_eq!(packet.to_vec(version).unwrap(), out);
}

fuzz_target!(|data: &[u8]| {
    for v in VERSIONS {
        check(data, v);
    }
});
