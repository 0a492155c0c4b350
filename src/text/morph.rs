//! Morphology: the inflected forms a name takes in running text, undone. Arabic glues
//! conjunctions, prepositions and the article to a word (`وبقندهار`); Russian declines
//! it (`в Кабуле`). Each gives candidate bare forms to look up.

/// Arabic proclitics that may be glued to a name: conjunctions and prepositions, alone or
/// with the article. Longest first, so `وبال` is tried before `و`.
const ARABIC_PROCLITICS: &[&str] = &[
    "وبال", "وكال", "فبال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "وب", "ول", "وك", "فب", "فل", "ال", "و",
    "ف", "ب", "ل", "ك",
];

/// Forms of a normalised token with Arabic proclitics peeled off, most likely first.
/// `لل` leaves the article: `للموصل` → `الموصل` as well as `موصل`.
/// Each form keeps at least two letters.
pub fn arabic_peelings(norm: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for form in arabic_peeled(norm) {
        if !out.iter().any(|o| *o == *form) {
            out.push(form.into_owned());
        }
    }
    out
}

/// [`arabic_peelings`] as they come, repeats included, allocating only to restore the
/// article after `لل`: for a first-match search.
pub fn arabic_peeled(norm: &str) -> impl Iterator<Item = std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    let may = norm.starts_with(['و', 'ف', 'ب', 'ل', 'ك', 'ا']);
    ARABIC_PROCLITICS
        .iter()
        .filter(move |_| may)
        .filter_map(move |p| norm.strip_prefix(p).filter(|rest| rest.chars().nth(1).is_some()).map(|rest| (p, rest)))
        .flat_map(|(p, rest)| {
            let with_article = p.ends_with("لل").then(|| Cow::Owned(format!("ال{rest}")));
            with_article.into_iter().chain(std::iter::once(Cow::Borrowed(rest)))
        })
}

/// Russian case endings, longest first, and what the nominative may end with instead.
const RU_ENDINGS: &[&str] = &[
    "ами", "ями", "ом", "ем", "ой", "ей", "ам", "ям", "ах", "ях", "ою", "ию", "ии", "ье", "а", "я", "у", "ю", "е", "и",
    "ы",
];

const RU_NOMINATIVE: &[&str] = &["", "а", "я", "ь", "и", "ия", "ы", "о", "е"];

/// Candidate nominative forms of an inflected Cyrillic token (`москве` → `москва`,
/// `таджикистане` → `таджикистан`, `турции` → `турция`). The token itself is not included.
pub fn cyrillic_lemmas(norm: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in RU_ENDINGS {
        if let Some(stem) = norm.strip_suffix(e) {
            if stem.chars().count() < 3 {
                continue;
            }
            for n in RU_NOMINATIVE {
                let cand = format!("{stem}{n}");
                if cand != norm && !out.contains(&cand) {
                    out.push(cand);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::name_key;

    #[test]
    fn peeled_forms_without_repeats_are_the_peelings() {
        for w in ["وبالموصل", "للموصل", "والافغانيه", "بقندهار", "كابول", "و", "لل", "فلل", "ولل"]
        {
            let mut seen: Vec<String> = Vec::new();
            for f in arabic_peeled(w) {
                if !seen.iter().any(|s| *s == *f) {
                    seen.push(f.into_owned());
                }
            }
            assert_eq!(seen, arabic_peelings(w), "{w}");
        }
        assert_eq!(arabic_peelings("للموصل"), ["الموصل", "موصل", "لموصل"]);
    }

    fn peel(input: &str, expected: &[&str]) {
        let got = arabic_peelings(&name_key(input));
        for e in expected {
            assert!(got.contains(&name_key(e)), "{input}: {got:?} lacks {e}");
        }
    }

    #[test]
    fn proclitics() {
        peel("وكابول", &["كابول"]);
        peel("بقندهار", &["قندهار"]);
        peel("لطاجيكستان", &["طاجيكستان"]);
        peel("وبكابول", &["كابول"]);
        peel("بالموصل", &["موصل"]);
        peel("للموصل", &["الموصل", "موصل"]);
        peel("والقاهرة", &["القاهرة"]);
        assert!(arabic_peelings("با").is_empty());
    }

    #[test]
    fn russian_lemmas() {
        for (inflected, nominative) in [
            ("москве", "москва"),
            ("таджикистане", "таджикистан"),
            ("турции", "турция"),
            ("кабуле", "кабул"),
            ("афганистана", "афганистан"),
            ("одессе", "одесса"),
        ] {
            let got = cyrillic_lemmas(inflected);
            assert!(got.iter().any(|g| g == nominative), "{inflected}: {got:?}");
        }
    }
}
