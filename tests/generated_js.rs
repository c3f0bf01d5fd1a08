//! lib/generated/protocol.js is what `cargo run --example gen_js` makes of the
//! Rust tables today: fails on any difference (then run that command).

#[allow(dead_code)]
#[path = "../examples/gen_js.rs"]
mod gen_js;

#[test]
fn generated_js_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(gen_js::OUT);
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == gen_js::render(),
        "{} differs from the Rust tables: run `cargo run --example gen_js`",
        gen_js::OUT
    );
}
