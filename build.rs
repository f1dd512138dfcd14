//! Build script: links the `newsidx` executable as a non-position-independent binary.
//!
//! The entity lexicon, HTML name tables and Unicode tables are tens of thousands of static
//! string pointers; in a position-independent executable the dynamic loader rewrites each
//! of them at every start (42,000 relocations, 360 page faults), which was 2 ms of a 12 ms
//! search. A fixed load address lets the linker resolve them once, at build time.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
