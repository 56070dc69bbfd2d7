//! Test support: deterministic mutations of a seed text, for the in-tree checks that stand
//! beside the fuzz targets (no panic, invariants hold) and run in every `cargo test`.

/// `rounds` variants of `seed`, each with one to `max_edits` single-byte edits (replace, insert
/// or delete) drawn from `alphabet` by an xorshift generator started at `state`. Variants that
/// are not UTF-8 are dropped.
pub fn mutations(
    seed: &str,
    alphabet: &[u8],
    rounds: usize,
    max_edits: u64,
    mut state: u64,
) -> Vec<String> {
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let mut text = seed.as_bytes().to_vec();
        for _ in 0..(next() % max_edits + 1) {
            if text.is_empty() {
                break;
            }
            let at = (next() as usize) % text.len();
            let ch = alphabet[(next() as usize) % alphabet.len()];
            match next() % 3 {
                0 => text[at] = ch,
                1 => text.insert(at, ch),
                _ => {
                    text.remove(at);
                }
            }
        }
        if let Ok(text) = String::from_utf8(text) {
            out.push(text);
        }
    }
    out
}
