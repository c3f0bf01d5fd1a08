//! The client example's flow against a real broker: Debian's mosquitto
//! (`/usr/sbin/mosquitto`), started on a free port of 127.0.0.1 with a
//! temporary configuration. Skipped with a line naming the binary when it is
//! missing; a failure when `CI=true`.
#![cfg(feature = "tokio")]

#[allow(dead_code)]
#[path = "../examples/tokio_client.rs"]
mod client;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mqttwire::Version;

const MOSQUITTO: &str = "/usr/sbin/mosquitto";

/// The broker process and its temporary directory, both gone on drop.
struct Broker {
    child: Child,
    dir: PathBuf,
    addr: String,
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start_broker() -> Option<Broker> {
    if !Path::new(MOSQUITTO).exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{MOSQUITTO} is missing (Debian package mosquitto) and CI=true"
        );
        eprintln!("skipped: {MOSQUITTO} not found (install the Debian package mosquitto)");
        return None;
    }
    // A free port can be taken by another process between our probe and
    // mosquitto's bind: then mosquitto exits, and we try another port.
    for _ in 0..5 {
        if let Some(broker) = try_port() {
            return Some(broker);
        }
    }
    panic!("mosquitto did not start on any of 5 free ports");
}

fn try_port() -> Option<Broker> {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir =
        std::env::temp_dir().join(format!("mqttwire-mosquitto-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("mosquitto.conf");
    std::fs::write(
        &conf,
        format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"),
    )
    .unwrap();
    let child = Command::new(MOSQUITTO)
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start mosquitto");
    let addr = format!("127.0.0.1:{port}");
    let mut broker = Broker { child, dir, addr };
    // Wait for the listener (generous: the machine is shared and loaded).
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(&broker.addr).is_err() {
        if let Ok(Some(status)) = broker.child.try_wait() {
            eprintln!("mosquitto exited ({status}) on {}", broker.addr);
            return None;
        }
        assert!(
            Instant::now() < deadline,
            "mosquitto did not listen on {}",
            broker.addr
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(broker)
}

#[test]
fn client_example_against_mosquitto() {
    let Some(broker) = start_broker() else { return };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for version in [Version::V3_1_1, Version::V5] {
        let payload = rt
            .block_on(async {
                tokio::time::timeout(Duration::from_secs(60), client::run(&broker.addr, version))
                    .await
            })
            .unwrap_or_else(|_| panic!("{version:?}: no answer from mosquitto in 60 s"))
            .unwrap_or_else(|e| panic!("{version:?}: {e}"));
        assert_eq!(payload, b"hello from mqttwire", "{version:?}");
    }
}
