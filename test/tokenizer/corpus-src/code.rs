use std::collections::HashMap;

/// Counts words, case-insensitively.
fn word_counts(text: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word.to_lowercase()).or_insert(0) += 1;
    }
    counts
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let counts = word_counts("the cat and the hat");
    let mut pairs: Vec<_> = counts.iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    println!("{:?}", pairs);
    let v: Vec<u8> = (0..=255u8).filter(|b| b % 17 == 0).collect();
    assert_eq!(v.len(), 16);
    Ok(())
}
