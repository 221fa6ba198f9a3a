//! The compiled rule catalogue: types for the tables build.rs generates from rules/*.toml.

use crate::template::{self, StepFn};

/// A constant output value from a rule's `set` (or an example's `expect`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Const {
    Str(&'static [u8]),
    /// Decimal digits.
    Num(&'static [u8]),
    Bool(bool),
}

/// How a pattern hole captures (rules/README.md, "Patterns").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HoleTy {
    Lazy,
    Ip,
    Num,
    Hex,
    Word,
    Rest,
}

/// Field index of a hole that skips text without capturing.
pub const SKIP: u8 = 255;

/// One token of a pre-tokenised pattern.
#[derive(Clone, Copy, Debug)]
pub enum Tok {
    Lit(&'static [u8]),
    /// (output field index or SKIP, capture type)
    Hole(u8, HoleTy),
    /// `{?`: an optional part begins; it ends at the matching `Close`.
    Open,
    /// `?}`: the end of an optional part.
    Close,
}

/// How a pattern starts: the literal the matcher searches for first, after a typed hole whose
/// run ends right before it (`Typed`) or not (`Lit`). The `u8` is the index of the literal's
/// byte the search looks for (build.rs `rarest`).
#[derive(Clone, Copy, Debug)]
pub enum Head {
    Lit(&'static [u8], u8),
    /// (output field index or SKIP, capture type, literal, its searched byte)
    Typed(u8, HoleTy, &'static [u8], u8),
}

/// One step of the matcher after the head: a hole and the literal right after it are one step,
/// run by the function of its kind (template::step_lit, step_lazy, step_lazy_byte, step_typed,
/// step_alone).
/// The literal is kept as a pointer and a one-byte length (see `lit`): twelve bytes a step
/// instead of sixteen, over the catalogue's 2,600 steps.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub run: StepFn,
    /// The literal after the hole (for `step_alone`: empty, or the byte a word stops at); for
    /// `step_optional`, the steps of the optional part and their number.
    pub(crate) lit_ptr: *const u8,
    pub(crate) lit_len: u8,
    /// Output field index of the hole, or SKIP.
    pub field: u8,
    /// The index of the literal's byte a search looks for (build.rs `rarest`; `step_lazy`).
    pub rare: u8,
}

// The pointer and length fields are crate-private: only build.rs's tables set them, so the
// accessors below can trust them.
// SAFETY: a Step only points at a static literal, which is never written.
unsafe impl Sync for Step {}

impl Step {
    /// The literal after the hole.
    #[inline(always)]
    pub fn lit(&self) -> &'static [u8] {
        // SAFETY: build.rs sets lit_ptr and lit_len from one static byte string.
        unsafe { core::slice::from_raw_parts(self.lit_ptr, self.lit_len as usize) }
    }

    /// The steps of an optional part (`step_optional`'s step only).
    #[inline(always)]
    pub(crate) fn part(&self) -> &'static [Step] {
        // SAFETY: build.rs sets an optional part's lit_ptr and lit_len from one static array
        // of steps.
        unsafe { core::slice::from_raw_parts(self.lit_ptr as *const Step, self.lit_len as usize) }
    }
}

/// A pattern compiled for the matcher (build.rs from the tokens): its head and steps, kept as
/// pointers and one-byte lengths (sixteen bytes a pattern instead of twenty-four; see `head`
/// and `steps`).
#[derive(Debug)]
pub struct Pattern {
    pub(crate) head_ptr: *const u8,
    pub(crate) steps_ptr: *const Step,
    pub(crate) head_len: u8,
    /// The index of the head literal's byte a search looks for (build.rs `rarest`).
    pub head_rare: u8,
    /// A leading typed hole's output field (or SKIP) and type (index of build.rs HOLE_TYPES), or
    /// HEAD_LIT for a pattern that begins with its literal.
    pub head_field: u8,
    pub head_ty: u8,
    pub(crate) steps_len: u8,
}

/// `Pattern::head_ty` of a pattern that begins with its literal.
pub const HEAD_LIT: u8 = 255;

// SAFETY: a Pattern only points at static data, which is never written.
unsafe impl Sync for Pattern {}

impl Pattern {
    #[inline(always)]
    pub fn head(&self) -> Head {
        // SAFETY: build.rs sets head_ptr and head_len from one static byte string.
        let l = unsafe { core::slice::from_raw_parts(self.head_ptr, self.head_len as usize) };
        if self.head_ty == HEAD_LIT { Head::Lit(l, self.head_rare) } else { Head::Typed(self.head_field, template::hole_ty(self.head_ty), l, self.head_rare) }
    }

    #[inline(always)]
    pub fn steps(&self) -> &'static [Step] {
        // SAFETY: build.rs sets steps_ptr and steps_len from one static array.
        unsafe { core::slice::from_raw_parts(self.steps_ptr, self.steps_len as usize) }
    }
}

/// One rule: its static meaning and how to match it.
#[derive(Debug)]
/// The fields left out of the Fluent Bit module (`not(target_os = "wasi")`) are rendered into
/// `head`/`tail` for it; native and bindings/ builds keep them separately for tools and tests.
pub struct Rule {
    #[cfg(not(target_os = "wasi"))]
    pub id: &'static str,
    /// The id after its `vendor.` prefix (which is part of the `after` text): `id_tail()`.
    pub(crate) id_ptr: *const u8,
    pub(crate) id_len: u8,
    #[cfg(not(target_os = "wasi"))]
    pub vendor: &'static str,
    #[cfg(not(target_os = "wasi"))]
    pub kind: &'static str,
    #[cfg(not(target_os = "wasi"))]
    pub event: &'static str,
    #[cfg(not(target_os = "wasi"))]
    pub outcome: &'static str,
    /// Index into SEVERITY_NAMES (see `severity()`).
    pub severity: u8,
    /// The record's level (INFO, WARN, CRITICAL) overrides `severity` (Alibaba events).
    pub level_severity: bool,
    /// 0 when the rule does not state it.
    pub phase: u8,
    #[cfg(not(target_os = "wasi"))]
    pub ike_version: u8,
    #[cfg(not(target_os = "wasi"))]
    pub reason: &'static str,
    #[cfg(not(target_os = "wasi"))]
    pub hint: &'static str,
    /// Bit mask of input slots (fields::SLOTS) the anchors are searched in.
    pub slots: u32,
    /// The slot the patterns read (255: the slot the anchor was found in).
    pub text: u8,
    /// `when()`: (slot, literal, exact) conditions.
    pub(crate) when_ptr: *const When,
    pub(crate) when_len: u8,
    /// The patterns' tokens (for other engines: src/regex.rs, the VRL program).
    #[cfg(not(target_os = "wasi"))]
    pub patterns: &'static [&'static [Tok]],
    /// `matchers()`: the patterns as the matcher runs them.
    pub(crate) matchers_ptr: *const Pattern,
    pub(crate) matchers_len: u8,
    /// `set()`: the constant output fields.
    pub(crate) set_ptr: *const SetField,
    pub(crate) set_len: u8,
    /// The static output, as indices into the tables of distinct texts (each stored once):
    /// HEADS, before the severity value: `"kind":"..",...,"severity":"`;
    pub head: u8,
    /// TAILS, after the severity value up to the hint text: `","phase":1,...,"hint":"`;
    pub tail: u8,
    /// AFTERS, after the hint up to the rule id's own part: `","vendor":"aws","rule":"aws.`;
    pub after: u8,
    /// HINTS, the hint JSON-escaped (empty when the rule has none).
    pub hint_text: u16,
}

/// A rule's constant output field, as the module stores it (8 bytes instead of 16 for a
/// (field, Const) pair): `get` gives the field's index and its value.
#[derive(Clone, Copy, Debug)]
pub struct SetField {
    pub(crate) ptr: *const u8,
    pub(crate) field: u8,
    /// 0: a string, 1: a number (decimal digits), 2: a flag (`true` or `false`). The bytes
    /// at `ptr` are the value as JSON writes it (without the quotes of a string).
    pub(crate) kind: u8,
    pub(crate) len: u8,
}

// SAFETY: `ptr` points into a static byte string (build.rs).
unsafe impl Sync for SetField {}

impl SetField {
    /// (output field index, value).
    pub fn get(&self) -> (u8, Const) {
        let t = self.text();
        let value = match self.kind {
            0 => Const::Str(t),
            1 => Const::Num(t),
            _ => Const::Bool(t == b"true"),
        };
        (self.field, value)
    }

    /// The value's text, as the output holds it (`Classification::vals`); build.rs checked
    /// that it has the field's type.
    #[inline(always)]
    pub fn text(&self) -> &'static [u8] {
        // SAFETY: build.rs sets ptr and len from one static byte string.
        unsafe { core::slice::from_raw_parts(self.ptr, self.len as usize) }
    }
}

/// A rule's condition: (slot, literal, exact, rare): the slot must be present and contain the
/// literal (exact: be it); `rare` is the index of the literal's byte that the search looks for
/// (build.rs `rarest`).
pub type When = (u8, &'static [u8], bool, u8);

// SAFETY: a Rule's pointers point into static arrays that nothing writes (build.rs).
unsafe impl Sync for Rule {}

/// The severities, by the index a rule stores (build.rs SEVERITIES).
pub const SEVERITY_NAMES: [&str; 3] = ["info", "warn", "critical"];

impl Rule {
    // The four slices below are kept as a pointer and a one-byte length (a rule is 36 bytes
    // instead of 48 in the module); build.rs sets each pair from one static array or string.
    /// The id after its `vendor.` prefix (which is part of the `after` text).
    pub fn id_tail(&self) -> &'static str {
        // SAFETY: see above; the bytes are a `str` literal's.
        unsafe { core::str::from_utf8_unchecked(core::slice::from_raw_parts(self.id_ptr, self.id_len as usize)) }
    }
    /// The conditions on the record's slots (all must hold).
    pub fn when(&self) -> &'static [When] {
        // SAFETY: see above.
        unsafe { core::slice::from_raw_parts(self.when_ptr, self.when_len as usize) }
    }
    /// The patterns as the matcher runs them, tried in order; none: the anchor alone decides.
    pub fn matchers(&self) -> &'static [Pattern] {
        // SAFETY: see above.
        unsafe { core::slice::from_raw_parts(self.matchers_ptr, self.matchers_len as usize) }
    }
    /// The constant output fields.
    pub fn set(&self) -> &'static [SetField] {
        // SAFETY: see above.
        unsafe { core::slice::from_raw_parts(self.set_ptr, self.set_len as usize) }
    }
    /// The rule's severity name.
    pub fn severity(&self) -> &'static str {
        SEVERITY_NAMES.get(self.severity as usize).copied().unwrap_or("info")
    }
    // The four texts below are read without a range check: build.rs writes every index from
    // the table it writes alongside (the test `rule_text_indices_are_in_range` checks it), and
    // the writer reads them for every classified record.
    pub fn head(&self) -> &'static [u8] {
        debug_assert!((self.head as usize) < HEADS.len());
        // SAFETY: see above.
        unsafe { HEADS.get_unchecked(self.head as usize) }
    }
    pub fn tail(&self) -> &'static [u8] {
        debug_assert!((self.tail as usize) < TAILS.len());
        // SAFETY: see above.
        unsafe { TAILS.get_unchecked(self.tail as usize) }
    }
    pub fn after(&self) -> &'static [u8] {
        debug_assert!((self.after as usize) < AFTERS.len());
        // SAFETY: see above.
        unsafe { AFTERS.get_unchecked(self.after as usize) }
    }
    pub fn hint_json(&self) -> &'static [u8] {
        debug_assert!((self.hint_text as usize) < HINTS.len());
        // SAFETY: see above.
        unsafe { HINTS.get_unchecked(self.hint_text as usize) }
    }
}

/// A literal anchor and the rules it selects, in twelve bytes (see `text` and `rules`).
#[derive(Debug)]
pub struct Anchor {
    pub(crate) text_ptr: *const u8,
    /// The input slots it is searched in.
    pub slots: u32,
    /// Where its rules start in ANCHOR_RULES.
    pub(crate) rules_at: u16,
    pub(crate) text_len: u8,
    pub(crate) rules_len: u8,
}

// SAFETY: an Anchor only points at a static literal, which is never written.
unsafe impl Sync for Anchor {}

impl Anchor {
    #[inline(always)]
    pub fn text(&self) -> &'static [u8] {
        // SAFETY: build.rs sets text_ptr and text_len from one static byte string.
        unsafe { core::slice::from_raw_parts(self.text_ptr, self.text_len as usize) }
    }

    /// The rules it selects (indices into RULES, in catalogue order).
    #[inline(always)]
    pub fn rules(&self) -> &'static [u16] {
        debug_assert!(self.rules_at as usize + self.rules_len as usize <= ANCHOR_RULES.len());
        // SAFETY: build.rs writes rules_at and rules_len with ANCHOR_RULES (the test
        // `anchor_rules_are_in_range` checks them); verify reads them for every anchor found.
        unsafe { core::slice::from_raw_parts(ANCHOR_RULES.as_ptr().add(self.rules_at as usize), self.rules_len as usize) }
    }
}

/// An example line of a rule, with the fields it must produce (native builds only).
#[derive(Debug)]
pub struct Example {
    pub line: &'static str,
    pub expect: &'static [(&'static str, Const)],
}

/// Documentation of a rule (native builds only).
#[derive(Debug)]
pub struct RuleDoc {
    pub file: &'static str,
    pub description: &'static str,
    pub fields: &'static [&'static str],
    pub anchors: &'static [&'static str],
    pub patterns: &'static [&'static str],
    pub examples: &'static [Example],
}

/// One rule file (native builds only).
#[derive(Debug)]
pub struct Source {
    pub file: &'static str,
    pub vendor: &'static str,
    pub title: &'static str,
    pub source: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_rules_are_in_range() {
        for a in ANCHORS.iter() {
            assert!(a.rules_at as usize + a.rules_len as usize <= ANCHOR_RULES.len(), "{:?}", String::from_utf8_lossy(a.text()));
            assert!(a.rules_len > 0 && a.rules().iter().all(|&r| (r as usize) < RULES.len()), "{:?}", String::from_utf8_lossy(a.text()));
        }
    }

    #[test]
    fn rule_text_indices_are_in_range() {
        for r in RULES.iter() {
            assert!((r.head as usize) < HEADS.len() && (r.tail as usize) < TAILS.len(), "{}", r.id);
            assert!((r.after as usize) < AFTERS.len() && (r.hint_text as usize) < HINTS.len(), "{}", r.id);
        }
    }
}
