//! Counters shared by every connection, the notification payload layout, and
//! the process figures read from `/proc`.

use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use hdrhistogram::Histogram;

/// Payload bytes before the padding: id (8), send time in µs (8), user (4), kind (1).
pub const HEADER_LEN: usize = 21;
/// `kind` byte of a notification to one user.
pub const KIND_DIRECT: u8 = 0;
/// `kind` byte of a broadcast.
pub const KIND_BROADCAST: u8 = 1;
/// Latency shards (connections record into `id % SHARDS`).
const SHARDS: usize = 16;

/// Microseconds since the Unix epoch (the payload's clock, so that separate
/// processes on one machine can read each other's timestamps).
pub fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

/// Write a notification payload of `len` bytes (at least [`HEADER_LEN`]).
pub fn write_payload(buf: &mut Vec<u8>, id: u64, user: u32, kind: u8, len: usize) {
    buf.clear();
    buf.extend_from_slice(&id.to_be_bytes());
    buf.extend_from_slice(&now_us().to_be_bytes());
    buf.extend_from_slice(&user.to_be_bytes());
    buf.push(kind);
    buf.resize(len.max(HEADER_LEN), b'.');
}

/// A decoded notification payload.
pub struct Note {
    /// Message id (direct and broadcast ids are separate sequences).
    pub id: u64,
    /// Send time, µs since the epoch.
    pub sent_us: u64,
    /// The user it was addressed to (direct only).
    pub user: u32,
    /// [`KIND_DIRECT`] or [`KIND_BROADCAST`].
    pub kind: u8,
}

/// Read a payload written by [`write_payload`]; `None` if it is not one.
pub fn read_payload(p: &[u8]) -> Option<Note> {
    if p.len() < HEADER_LEN {
        return None;
    }
    Some(Note {
        id: u64::from_be_bytes(p[0..8].try_into().ok()?),
        sent_us: u64::from_be_bytes(p[8..16].try_into().ok()?),
        user: u32::from_be_bytes(p[16..20].try_into().ok()?),
        kind: p[20],
    })
}

fn histogram() -> Histogram<u64> {
    // 1 µs .. 10 min, 3 significant digits.
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds")
}

/// Everything the connections count.
pub struct Stats {
    /// Deliveries of each direct notification id (saturating at 255).
    pub direct: Vec<AtomicU8>,
    /// Direct ids handed out (the next id).
    pub published: AtomicU64,
    /// Publishers that have stopped publishing.
    pub publishers_done: AtomicUsize,
    /// Set on SIGINT: publishing ends early, the drain and report follow.
    pub stop_publishing: std::sync::atomic::AtomicBool,
    /// Direct PUBLISHes the broker acknowledged.
    pub acked: AtomicU64,
    /// Direct PUBLISHes not sent because the in-flight window was full.
    pub throttled: AtomicU64,
    /// First deliveries of direct notifications.
    pub delivered: AtomicU64,
    /// Deliveries after the first.
    pub duplicated: AtomicU64,
    /// Direct notifications delivered to a user they were not addressed to.
    pub misrouted: AtomicU64,
    /// Broadcasts published.
    pub broadcasts: AtomicU64,
    /// First deliveries of broadcasts (over all users).
    pub bcast_delivered: AtomicU64,
    /// Repeated deliveries of a broadcast to one user.
    pub bcast_duplicated: AtomicU64,
    /// PUBLISHes whose payload was not a notification.
    pub foreign: AtomicU64,
    /// Users subscribed at least once.
    pub subscribed: AtomicUsize,
    /// Users whose first connection failed for good.
    pub failed: AtomicUsize,
    /// Connections open now.
    pub connected: AtomicUsize,
    /// Connections that ended without being asked to.
    pub dropped: AtomicUsize,
    /// PUBLISHes that arrived before their connection's CONNACK.
    pub before_connack: AtomicUsize,
    /// Reconnections made.
    pub reconnects: AtomicUsize,
    /// Connection attempts that failed (refused, timed out, CONNACK refusal).
    pub connect_errors: AtomicUsize,
    /// The first connection error seen, for the report.
    pub first_error: Mutex<Option<String>>,
    direct_latency: Vec<Mutex<Histogram<u64>>>,
    bcast_latency: Mutex<Histogram<u64>>,
}

impl Stats {
    /// Counters for at most `capacity` direct notifications.
    pub fn new(capacity: usize) -> Self {
        Stats {
            direct: (0..capacity).map(|_| AtomicU8::new(0)).collect(),
            published: AtomicU64::new(0),
            publishers_done: AtomicUsize::new(0),
            stop_publishing: std::sync::atomic::AtomicBool::new(false),
            acked: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            delivered: AtomicU64::new(0),
            duplicated: AtomicU64::new(0),
            misrouted: AtomicU64::new(0),
            broadcasts: AtomicU64::new(0),
            bcast_delivered: AtomicU64::new(0),
            bcast_duplicated: AtomicU64::new(0),
            foreign: AtomicU64::new(0),
            subscribed: AtomicUsize::new(0),
            failed: AtomicUsize::new(0),
            connected: AtomicUsize::new(0),
            dropped: AtomicUsize::new(0),
            before_connack: AtomicUsize::new(0),
            reconnects: AtomicUsize::new(0),
            connect_errors: AtomicUsize::new(0),
            first_error: Mutex::new(None),
            direct_latency: (0..SHARDS).map(|_| Mutex::new(histogram())).collect(),
            bcast_latency: Mutex::new(histogram()),
        }
    }

    /// Note a connection error (the first one is kept for the report).
    pub fn connect_error(&self, msg: String) {
        self.connect_errors.fetch_add(1, Relaxed);
        let mut first = self.first_error.lock().unwrap_or_else(|e| e.into_inner());
        if first.is_none() {
            *first = Some(msg);
        }
    }

    /// Record a direct notification received by `user`.
    pub fn direct_received(&self, user: u32, note: &Note) {
        if note.user != user {
            self.misrouted.fetch_add(1, Relaxed);
        }
        let Some(slot) = self.direct.get(note.id as usize) else {
            self.foreign.fetch_add(1, Relaxed);
            return;
        };
        let before = slot
            .fetch_update(Relaxed, Relaxed, |c| Some(c.saturating_add(1)))
            .unwrap_or(u8::MAX);
        if before == 0 {
            self.delivered.fetch_add(1, Relaxed);
            let lat = now_us().saturating_sub(note.sent_us).max(1);
            let shard = &self.direct_latency[(note.id as usize) % SHARDS];
            let mut h = shard.lock().unwrap_or_else(|e| e.into_inner());
            h.saturating_record(lat);
        } else {
            self.duplicated.fetch_add(1, Relaxed);
        }
    }

    /// Record a broadcast received by a user; `seen` is that user's bitmask
    /// of broadcast ids (ids past 63 are counted without duplicate detection).
    pub fn broadcast_received(&self, seen: &mut u64, note: &Note) {
        if note.id < 64 {
            let bit = 1u64 << note.id;
            if *seen & bit != 0 {
                self.bcast_duplicated.fetch_add(1, Relaxed);
                return;
            }
            *seen |= bit;
        }
        self.bcast_delivered.fetch_add(1, Relaxed);
        let lat = now_us().saturating_sub(note.sent_us).max(1);
        let mut h = self.bcast_latency.lock().unwrap_or_else(|e| e.into_inner());
        h.saturating_record(lat);
    }

    /// Direct ids published that no user received.
    pub fn lost(&self) -> u64 {
        let n = (self.published.load(Relaxed) as usize).min(self.direct.len());
        self.direct[..n]
            .iter()
            .filter(|c| c.load(Relaxed) == 0)
            .count() as u64
    }

    /// The first `max` direct ids published that no user received.
    pub fn lost_sample(&self, max: usize) -> Vec<u64> {
        let n = (self.published.load(Relaxed) as usize).min(self.direct.len());
        (0..n)
            .filter(|&i| self.direct[i].load(Relaxed) == 0)
            .take(max)
            .map(|i| i as u64)
            .collect()
    }

    /// Direct latency quantiles in ms: (p50, p99, p99.9, max).
    pub fn direct_quantiles(&self) -> [f64; 4] {
        let mut all = histogram();
        for shard in &self.direct_latency {
            let h = shard.lock().unwrap_or_else(|e| e.into_inner());
            all.add(&*h).expect("same bounds");
        }
        quantiles(&all)
    }

    /// Broadcast latency quantiles in ms: (p50, p99, p99.9, max).
    pub fn broadcast_quantiles(&self) -> [f64; 4] {
        let h = self.bcast_latency.lock().unwrap_or_else(|e| e.into_inner());
        quantiles(&h)
    }
}

fn quantiles(h: &Histogram<u64>) -> [f64; 4] {
    if h.is_empty() {
        return [0.0; 4];
    }
    let ms = |us: u64| us as f64 / 1000.0;
    [
        ms(h.value_at_quantile(0.5)),
        ms(h.value_at_quantile(0.99)),
        ms(h.value_at_quantile(0.999)),
        ms(h.max()),
    ]
}

/// CPU time (user + system) of a process in seconds, from `/proc/<pid>/stat`.
pub fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: fields count from after its ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    // USER_HZ is 100 on Linux.
    Some((utime + stime) / 100.0)
}

/// Resident set size of a process in KiB, from `/proc/<pid>/status`.
pub fn rss_kib(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A JSON object written field by field (numbers, booleans and strings).
#[derive(Default)]
pub struct Json(String);

impl Json {
    fn key(&mut self, k: &str) {
        self.0.push(if self.0.is_empty() { '{' } else { ',' });
        self.0.push('"');
        self.0.push_str(k);
        self.0.push_str("\":");
    }

    /// A string field.
    pub fn str(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k);
        self.0.push('"');
        for c in v.chars() {
            match c {
                '"' => self.0.push_str("\\\""),
                '\\' => self.0.push_str("\\\\"),
                c if (c as u32) < 0x20 => self.0.push_str(&format!("\\u{:04x}", c as u32)),
                c => self.0.push(c),
            }
        }
        self.0.push('"');
        self
    }

    /// An integer field.
    pub fn int(&mut self, k: &str, v: u64) -> &mut Self {
        self.key(k);
        self.0.push_str(&v.to_string());
        self
    }

    /// A number field rounded to 3 decimals (`null` when not finite).
    pub fn num(&mut self, k: &str, v: f64) -> &mut Self {
        self.key(k);
        if v.is_finite() {
            self.0
                .push_str(&format!("{}", (v * 1000.0).round() / 1000.0));
        } else {
            self.0.push_str("null");
        }
        self
    }

    /// A number field, or `null`.
    pub fn opt(&mut self, k: &str, v: Option<f64>) -> &mut Self {
        match v {
            Some(v) => self.num(k, v),
            None => {
                self.key(k);
                self.0.push_str("null");
                self
            }
        }
    }

    /// The finished object.
    pub fn finish(&mut self) -> String {
        let mut s = std::mem::take(&mut self.0);
        if s.is_empty() {
            s.push('{');
        }
        s.push('}');
        s
    }
}
