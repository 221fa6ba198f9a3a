//! Renders the json_records corpus (arbitrary-encoded structures) as the JSON records they
//! stand for, one file per input: `render_records CORPUS_DIR OUT_DIR`. The records go into the
//! regression corpus that tests/fuzz_corpus.rs runs through the built module.

use arbitrary::{Arbitrary, Unstructured};
use vpnlog_fuzz::Record;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output] = &args[..] else {
        eprintln!("usage: render_records CORPUS_DIR OUT_DIR");
        std::process::exit(2);
    };
    std::fs::create_dir_all(output).expect("output directory");
    let mut n = 0;
    for entry in std::fs::read_dir(input).expect("corpus directory") {
        let path = entry.expect("corpus entry").path();
        let data = std::fs::read(&path).expect("corpus file");
        let Ok(rec) = Record::arbitrary_take_rest(Unstructured::new(&data)) else { continue };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        std::fs::write(std::path::Path::new(output).join(name), rec.render()).expect("write");
        n += 1;
    }
    eprintln!("{n} records written to {output}");
}
