//! Confidence: how likely a mention is to be right, as a probability. The last number
//! geoparsing gives each mention.
//!
//! A mention is *right* when it names a place and points within 161 km of it. The
//! confidence is a logistic model over a few facts about the mention ([`Features`]): how
//! clearly its winner beat the other candidates, whether the place is well known, whether
//! a cue, a qualifier or a dateline supports it, how the name matched, whether it stands
//! inside a longer hashtag; a demonym has a model of its own. The weights
//! ([`PLACE_WEIGHTS`], [`DEMONYM_WEIGHTS`]) were fitted
//! by `benches/calibrate.py` on the evaluation corpora beside the repository (each
//! corpus weighted equally), which also prints the reliability table the README shows:
//! among mentions given about 0.8, about 80% are right.
//!
//! Outputs keep the mentions at or above a threshold, 0.5 by default (`--min-confidence`):
//! a mention more likely right than wrong.

/// The default threshold: outputs keep mentions at least this confident.
pub const DEFAULT_MIN_CONFIDENCE: f64 = 0.5;

/// What the model knows about one mention. Flags are 0 or 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Features {
    /// The winner's softmax share among its name's candidates (1 when it had no rival).
    pub share: f64,
    /// How far the winner's score rests on evidence: (score − 2) / 5, within 0 and 1.
    pub margin: f64,
    /// A country, a first-level division, a capital, a city of 100,000, a macro region or
    /// a named natural feature (see `score::well_known`).
    pub well_known: f64,
    /// A cue word, a qualifier or a dateline supports it.
    pub explicit: f64,
    /// The name matched is one the place really has (canonical, language-tagged, curated),
    /// not an untagged alternate spelling.
    pub own_name: f64,
    /// Written in more than one word.
    pub multi_word: f64,
    /// One word of a longer hashtag (`#أمطار_الكويت`): a topic label more than a mention.
    pub hashtag_part: f64,
    /// A whole hashtag (`#الكويت`).
    pub hashtag: f64,
    /// In a script without case (Arabic, Persian), where case cannot tell a name.
    pub uncased: f64,
    /// Matched after peeling a clitic or undoing an ending.
    pub inflected: f64,
    /// The place is a country.
    pub country: f64,
    /// A nationality word, resolved to its country ("Afghan", `الأفغانية`).
    pub demonym: f64,
    /// A demonym naming people in the plural ("Americans", `المصريين`).
    pub people: f64,
}

/// The place-name model's weights: bias, then one per value of [`Features::place`].
pub const PLACE_WEIGHTS: [f64; 14] =
    [-4.287, 2.981, 2.970, 0.969, 0.717, -0.089, 0.548, -4.164, -2.287, 0.591, 0.664, -0.019, 1.936, -0.963];

/// The demonym model's weights: bias, then one per value of [`Features::demonym`].
pub const DEMONYM_WEIGHTS: [f64; 5] = [0.638, -4.331, -0.764, -0.688, -3.329];

impl Features {
    /// What the place-name model reads, in [`PLACE_WEIGHTS`]' order after the bias: the
    /// fields that tell a place name, then two products, for what a whole hashtag and a
    /// well-known place mean in a script without case (a tweet's `#الرياض` is nearly
    /// always the city).
    pub fn place(&self) -> [f64; 13] {
        [
            self.share,
            self.margin,
            self.well_known,
            self.explicit,
            self.own_name,
            self.multi_word,
            self.hashtag_part,
            self.hashtag,
            self.uncased,
            self.inflected,
            self.country,
            self.hashtag * self.uncased,
            self.well_known * self.uncased,
        ]
    }

    /// What the demonym model reads, in [`DEMONYM_WEIGHTS`]' order after the bias.
    pub fn demonym(&self) -> [f64; 4] {
        [self.people, self.uncased, self.hashtag_part, self.hashtag]
    }

    /// The probability that the mention is right, to three decimals.
    pub fn confidence(&self) -> f64 {
        let logit = |w: &[f64], x: &[f64]| w[0] + x.iter().zip(&w[1..]).map(|(x, w)| x * w).sum::<f64>();
        let z = if self.demonym > 0.0 {
            logit(&DEMONYM_WEIGHTS, &self.demonym())
        } else {
            logit(&PLACE_WEIGHTS, &self.place())
        };
        let p = 1.0 / (1.0 + (-z).exp());
        (p * 1000.0).round() / 1000.0
    }
}

/// Whether the text `start..end` lies inside a hashtag, and whether that hashtag has
/// other words too: (in a hashtag, only part of it).
pub fn hashtag(text: &str, start: usize, end: usize) -> (bool, bool) {
    // a letter, digit or mark (`is_word_char`: the Unicode tables only past the common
    // alphabets), an underscore or a zero-width non-joiner
    let word = |c: char| crate::text::is_word_char(c) || c == '_' || c == '\u{200c}';
    let before = &text[..start];
    let run_start = before.char_indices().rev().take_while(|&(_, c)| word(c)).last().map_or(start, |(i, _)| i);
    if !text[..run_start].ends_with('#') {
        return (false, false);
    }
    let run_end = end + text[end..].char_indices().find(|&(_, c)| !word(c)).map_or(text.len() - end, |(i, _)| i);
    (true, run_start < start || run_end > end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtags_and_their_parts() {
        // (text, the name, in a hashtag, only part of it)
        let cases = [
            ("أمطار #الكويت اليوم", "الكويت", true, false),
            ("#أمطار_الكويت", "الكويت", true, true),
            ("#الكويت_الان", "الكويت", true, true),
            ("floods in Kuwait today", "Kuwait", false, false),
            ("#Kuwait", "Kuwait", true, false),
            ("#KuwaitRains", "Kuwait", true, true),
        ];
        for (text, name, is_tag, part) in cases {
            let start = text.find(name).unwrap();
            assert_eq!(hashtag(text, start, start + name.len()), (is_tag, part), "{text}");
        }
    }

    #[test]
    fn confidence_is_a_probability_that_rises_with_evidence() {
        let weak = Features { share: 0.4, margin: 0.1, ..Features::default() };
        let strong = Features { share: 1.0, margin: 1.0, well_known: 1.0, explicit: 1.0, own_name: 1.0, ..weak };
        assert!(weak.confidence() < strong.confidence());
        for f in [weak, strong] {
            assert!((0.0..=1.0).contains(&f.confidence()));
        }
    }
}
