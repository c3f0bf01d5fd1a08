//! Criterion benches: `cargo bench --bench codec`.
//!
//! - `parse/<kind>` and `encode/<kind>`: one packet of each kind, bytes/s.
//! - `stream/*`: the seeded 10,000-packet MQTT 3.1.1 PUBLISH stream
//!   (benches/common) through mqttwire's `parse` loop, `stream::Decoder`,
//!   `tape::frame`, and rumqtt's `mqttbytes` 0.6 — same data, same run —
//!   in packets/s (`stream_pkts`) and bytes/s (`stream_bytes`).
//!
//! `cargo run --release --example bench_ratio` prints the same stream
//! comparison as one table of ns/packet and ratios.

use std::hint::black_box;
use std::time::Duration;

use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use mqttwire::{parse, Status};

#[path = "common/mod.rs"]
mod common;
use common::*;

fn per_kind(c: &mut Criterion) {
    let fixtures = fixtures();
    let mut g = c.benchmark_group("parse");
    for f in &fixtures {
        g.throughput(Throughput::Bytes(f.bytes.len() as u64));
        g.bench_function(f.name, |b| {
            b.iter(|| match parse(black_box(&f.bytes), f.version) {
                Ok(Status::Complete((p, used))) => {
                    black_box(&p);
                    used
                }
                _ => unreachable!(),
            })
        });
    }
    g.finish();

    // Encoding a packet built from values (properties/filters as slices: the
    // encoder validates them) into a reused buffer.
    with_fixture_packets(|packets| {
        let mut g = c.benchmark_group("encode");
        let mut out: Vec<u8> = Vec::with_capacity(1024);
        for (name, version, p) in packets {
            let len = p.encoded_len(*version).unwrap();
            g.throughput(Throughput::Bytes(len as u64));
            g.bench_function(*name, |b| {
                b.iter(|| {
                    out.clear();
                    black_box(p).encode(*version, &mut out).unwrap()
                })
            });
        }
        g.finish();
    });

    // Re-encoding a parsed (wire-form) packet: properties and lists are copied
    // as the bytes they were parsed from.
    let mut g = c.benchmark_group("reencode_parsed");
    let mut out: Vec<u8> = Vec::with_capacity(1024);
    for f in &fixtures {
        let Ok(Status::Complete((p, _))) = parse(&f.bytes, f.version) else {
            unreachable!()
        };
        g.throughput(Throughput::Bytes(f.bytes.len() as u64));
        g.bench_function(f.name, |b| {
            b.iter(|| {
                out.clear();
                black_box(&p).encode(f.version, &mut out).unwrap()
            })
        });
    }
    g.finish();

    // The same PUBLISH through mqttbytes, for scale.
    let mut g = c.benchmark_group("mqttbytes");
    let f = fixtures
        .iter()
        .find(|f| f.name == "publish_v4_128B")
        .unwrap();
    g.throughput(Throughput::Bytes(f.bytes.len() as u64));
    g.bench_function("parse/publish_v4_128B", |b| {
        b.iter_batched(
            || BytesMut::from(&f.bytes[..]),
            |mut src| mqttbytes::v4::read(&mut src, 1 << 20).unwrap(),
            BatchSize::SmallInput,
        )
    });
    let Ok(mqttbytes::v4::Packet::Publish(mp)) =
        mqttbytes::v4::read(&mut BytesMut::from(&f.bytes[..]), 1 << 20)
    else {
        unreachable!()
    };
    let mut out = BytesMut::with_capacity(1024);
    g.bench_function("encode/publish_v4_128B", |b| {
        b.iter(|| {
            out.clear();
            black_box(&mp).write(&mut out).unwrap()
        })
    });
    g.finish();
}

fn stream(c: &mut Criterion) {
    let buf = publish_stream(STREAM_PACKETS, SEED);
    let n = STREAM_PACKETS;
    // Every consumer must see every packet.
    assert_eq!(run_parse(&buf).0, n);
    assert_eq!(run_decoder(BytesMut::from(&buf[..])).0, n);
    assert_eq!(run_mqttbytes(BytesMut::from(&buf[..])).0, n);
    let mut tape = vec![0u32; tape_words(n)];
    assert_eq!(run_tape::<false>(&buf, &mut tape).0, n);
    assert_eq!(run_tape_chunked::<false>(&buf, &mut tape, 64 * 1024).0, n);
    assert_eq!(run_tape_chunked::<true>(&buf, &mut tape, 64 * 1024).0, n);

    for (group, tp) in [
        ("stream_pkts", Throughput::Elements(n as u64)),
        ("stream_bytes", Throughput::Bytes(buf.len() as u64)),
    ] {
        let mut g = c.benchmark_group(group);
        g.throughput(tp);
        g.measurement_time(Duration::from_secs(4));
        g.bench_function("mqttwire_parse", |b| b.iter(|| run_parse(black_box(&buf))));
        g.bench_function("mqttwire_decoder", |b| {
            b.iter_batched(
                || BytesMut::from(&buf[..]),
                run_decoder,
                BatchSize::PerIteration,
            )
        });
        g.bench_function("mqttwire_decoder_packet", |b| {
            b.iter_batched(
                || BytesMut::from(&buf[..]),
                run_decoder_packet,
                BatchSize::PerIteration,
            )
        });
        g.bench_function("mqttwire_tape", |b| {
            b.iter(|| run_tape::<false>(black_box(&buf), &mut tape))
        });
        g.bench_function("mqttwire_tape_64k_chunks", |b| {
            b.iter(|| run_tape_chunked::<false>(black_box(&buf), &mut tape, 64 * 1024))
        });
        // the Node binding's configuration: ARENA on for chunks of 4 KiB or more
        g.bench_function("mqttwire_tape_64k_chunks_arena", |b| {
            b.iter(|| run_tape_chunked::<true>(black_box(&buf), &mut tape, 64 * 1024))
        });
        g.bench_function("mqttbytes_v4_read", |b| {
            b.iter_batched(
                || BytesMut::from(&buf[..]),
                run_mqttbytes,
                BatchSize::PerIteration,
            )
        });
        g.bench_function("bare_framing_floor", |b| {
            b.iter(|| run_bare_framing(black_box(&buf)))
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = per_kind, stream
}
criterion_main!(benches);
