//! The `newsidx` binary: parses flags, runs a command, maps the outcome to an exit code.

fn main() {
    println!("newsidx: under construction");
}
