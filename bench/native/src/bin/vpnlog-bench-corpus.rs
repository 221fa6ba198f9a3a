//! Writes the benchmark corpus: `vpnlog-bench-corpus DIR` creates DIR/vpn.ndjson and
//! DIR/ordinary.ndjson (see the library). The files are rewritten only when their content changes.

use std::path::Path;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: vpnlog-bench-corpus DIR");
        std::process::exit(2);
    };
    let dir = Path::new(&dir);
    let (vpn, ordinary) = vpnlog_bench::corpus();
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for (name, records) in [("vpn.ndjson", &vpn), ("ordinary.ndjson", &ordinary)] {
        let path = dir.join(name);
        let text = vpnlog_bench::ndjson(records);
        if std::fs::read(&path).ok().as_deref() != Some(&text[..]) {
            std::fs::write(&path, &text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        println!("{}: {} records", path.display(), records.len());
    }
}
