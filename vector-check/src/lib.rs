//! Compiles a VRL program with the real VRL engine (the one Vector's `remap` transform runs)
//! and runs it on JSON records, the way `remap` runs it on a log event.

use std::collections::BTreeMap;

use vrl::compiler::runtime::Runtime;
use vrl::compiler::state::RuntimeState;
use vrl::compiler::{Program, TargetValue, TimeZone};
use vrl::diagnostic::Formatter;
use vrl::value::{Secrets, Value};

/// A compiled program and the runtime state it reuses between records.
pub struct Remap {
    program: Program,
    runtime: Runtime,
    timezone: TimeZone,
}

impl Remap {
    /// Compiles `source` with VRL's standard library. Errors and warnings are returned as the
    /// compiler prints them; a program with warnings is refused too.
    pub fn compile(source: &str) -> Result<Remap, String> {
        let functions = vrl::stdlib::all();
        let result = vrl::compiler::compile(source, &functions).map_err(|d| Formatter::new(source, d).to_string())?;
        if !result.warnings.is_empty() {
            return Err(Formatter::new(source, result.warnings).to_string());
        }
        Ok(Remap { program: result.program, runtime: Runtime::new(RuntimeState::default()), timezone: TimeZone::default() })
    }

    /// Runs the program on one record (a JSON object) and returns the record it leaves, or the
    /// runtime error that would make `remap` drop or pass the event unchanged.
    pub fn run(&mut self, record: serde_json::Value) -> Result<serde_json::Value, String> {
        let mut target = TargetValue { value: Value::from(record), metadata: Value::Object(BTreeMap::new()), secrets: Secrets::default() };
        self.runtime.clear();
        self.runtime.resolve(&mut target, &self.program, &self.timezone).map_err(|e| e.to_string())?;
        serde_json::to_value(&target.value).map_err(|e| e.to_string())
    }
}
