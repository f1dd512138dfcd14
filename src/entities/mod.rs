//! Named entities: extraction from article text (`extract`, driven by the `gazetteer` and
//! `lexicon` word lists), within-article and corpus-level name merging (`canonical`), and the
//! corpus alias table saved beside the index (`table`).

mod canonical;
mod extract;
mod gazetteer;
mod lexicon;
mod table;

pub use canonical::{fold, skeleton};
pub use gazetteer::FxMap;
pub use table::EntityTable;

use crate::article::Entity;

/// Whether a word (any case) is a known given name, from the gazetteer's word lists. Used by
/// the boilerplate model so that bylines and speaker labels ("Sean Illing") are not learnt
/// as boilerplate however often they recur.
pub fn is_given_name(word: &str) -> bool {
    let mut folded = String::new();
    canonical::fold_into(word, &mut folded);
    gazetteer::Gazetteer::get().word(&folded) & gazetteer::class::GIVEN != 0
}

/// Whether a word (any case) is an ordinary English word in the gazetteer's word list
/// ("Court", "Four"). Search uses it so that a capitalised common word is not widened to
/// the spelling variants of names ("Court" is not "Curt").
pub fn is_common_word(word: &str) -> bool {
    let mut folded = String::new();
    canonical::fold_into(word, &mut folded);
    gazetteer::common_word_listed(&folded)
}

/// Extracts people, organisations and places from articles. Building one loads the
/// gazetteers (once per process); extraction itself allocates little and is `Sync`, so
/// one extractor serves every indexing thread.
pub struct Extractor {
    g: &'static gazetteer::Gazetteer,
}

impl Default for Extractor {
    fn default() -> Self {
        Extractor::new()
    }
}

impl Extractor {
    pub fn new() -> Extractor {
        Extractor {
            g: gazetteer::Gazetteer::get(),
        }
    }

    /// The entities of one article, each with its article-level name and the surface forms
    /// seen, in order of first mention (title first).
    pub fn extract(&self, title: Option<&str>, body: &str) -> Vec<Entity> {
        thread_local! {
            /// Each thread reuses one scanner, so its token, class and mention buffers are
            /// allocated once per thread instead of grown again for every article.
            static SCAN: std::cell::RefCell<Option<extract::Scan<'static>>> =
                const { std::cell::RefCell::new(None) };
        }
        SCAN.with(|cell| {
            let mut slot = cell.borrow_mut();
            let scan = match slot.as_mut() {
                Some(s) if std::ptr::eq(s.gazetteer(), self.g) => s,
                _ => slot.insert(extract::Scan::new(self.g)),
            };
            scan.reset();
            if let Some(t) = title {
                scan.scan(t, true);
            }
            scan.scan(body, false);
            canonical::merge(&scan.mentions)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::EntityKind;

    fn names(title: Option<&str>, body: &str) -> Vec<(EntityKind, String)> {
        Extractor::new()
            .extract(title, body)
            .into_iter()
            .map(|e| (e.kind, e.name))
            .collect()
    }

    fn has(list: &[(EntityKind, String)], kind: EntityKind, name: &str) -> bool {
        list.iter().any(|(k, n)| *k == kind && n == name)
    }

    #[test]
    fn a_country_ending_an_unknown_name_is_where_a_body_is_not_a_surname() {
        // "Argentina" is also a given name; after words no list knows it names a body's
        // country, so the country mentioned alone stays a place and joins no "person".
        let got = names(
            None,
            "\"It is a cry,\" said Jorge Chemes, president of Confederaciones Rurales \
             Argentina. Argentina imports 60 percent of its fertilisers. Michael Jordan \
             played. Jordan scored 30 points.",
        );
        assert!(has(&got, EntityKind::Location, "Argentina"), "{got:?}");
        assert!(
            has(
                &got,
                EntityKind::Organization,
                "Confederaciones Rurales Argentina"
            ),
            "{got:?}"
        );
        assert!(
            !has(
                &got,
                EntityKind::Person,
                "Confederaciones Rurales Argentina"
            ),
            "{got:?}"
        );
        // A given name first still makes a person, whose surname the country may be.
        assert!(has(&got, EntityKind::Person, "Michael Jordan"), "{got:?}");
    }

    #[test]
    fn area_words_make_places_of_names_no_list_holds() {
        let l = EntityKind::Location;
        let got = names(
            None,
            "Flooding hit South Auckland and Central Lima. He grew up in East Germany and \
             moved to South Florida. The South China Morning Post reported it.",
        );
        for place in [
            "South Auckland",
            "Central Lima",
            "East Germany",
            "South Florida",
        ] {
            assert!(has(&got, l, place), "{place}: {got:?}");
        }
        // Spanish words that begin place names make places of names no list holds.
        let got2 = names(
            None,
            "Tourists visit Agua Bonita and Cayo Grande. Families in Reparto Lutgardita \
             and Casco Antiguo were moved.",
        );
        for place in [
            "Agua Bonita",
            "Cayo Grande",
            "Reparto Lutgardita",
            "Casco Antiguo",
        ] {
            assert!(has(&got2, l, place), "{place}: {got2:?}");
        }
        // The rest must be a place: a newspaper named for one stays a newspaper.
        assert!(
            has(&got, EntityKind::Organization, "South China Morning Post"),
            "{got:?}"
        );
    }

    #[test]
    fn a_noun_naming_a_kind_of_body_before_a_name_makes_it_one() {
        let o = EntityKind::Organization;
        let got = names(
            None,
            "The news agency Yonhap and the website Breitbart said so, as did the \
             newspaper El Mercurio. The charity Caritas agreed. The agency's Centers for \
             Disease Control were not asked.",
        );
        for body in ["Yonhap", "Breitbart", "El Mercurio", "Caritas"] {
            assert!(has(&got, o, body), "{body}: {got:?}");
        }
        // After a possessive the name is what the body has, not the body.
        assert!(!has(&got, o, "Centers"), "{got:?}");
    }

    #[test]
    fn legal_forms_photo_credits_and_press_titles_are_no_bodies() {
        let o = EntityKind::Organization;
        let got = names(
            None,
            "White House Press Secretary Jay Carney said the money went to DJT Holdings \
             LLC, and the PAC agreed. (AP Photo/Evan Vucci, FILE) He joined the party \
             Anticorruption (PAC).",
        );
        for junk in ["LLC", "FILE", "White House Press"] {
            assert!(!got.iter().any(|(_, n)| n == junk), "{junk}: {got:?}");
        }
        assert!(has(&got, EntityKind::Person, "Jay Carney"), "{got:?}");
        assert!(has(&got, o, "DJT Holdings LLC"), "{got:?}");
        // Companies whose names look like a person's.
        let firms = names(None, "Shares of Goldman Sachs and Morgan Stanley fell.");
        assert!(has(&firms, o, "Goldman Sachs"), "{firms:?}");
        assert!(has(&firms, o, "Morgan Stanley"), "{firms:?}");
        // The press known by name, though "El"/"La" before an unknown word makes a place.
        let press = names(
            None,
            "He told El Mercurio so. The agency Prensa Latina agreed. He lives in El Paujil.",
        );
        assert!(has(&press, o, "El Mercurio"), "{press:?}");
        assert!(has(&press, o, "Prensa Latina"), "{press:?}");
        assert!(has(&press, EntityKind::Location, "El Paujil"), "{press:?}");
        // Defined right after a name, the acronym is that body's.
        assert!(has(&got, o, "PAC"), "{got:?}");
    }

    #[test]
    fn weekdays_end_a_name_but_today_is_part_of_one() {
        let o = EntityKind::Organization;
        let l = names(
            None,
            "The statement came from ABC News on Wednesday. Bob Goodlatte Tuesday said \
             nothing, and USA Today reported it in Europe Saturday.",
        );
        assert!(has(&l, o, "ABC News"), "{l:?}");
        assert!(has(&l, EntityKind::Person, "Bob Goodlatte"), "{l:?}");
        assert!(has(&l, o, "USA Today"), "{l:?}");
        assert!(has(&l, EntityKind::Location, "Europe"), "{l:?}");
        assert!(
            !l.iter()
                .any(|(_, n)| n.contains("day ") || n.ends_with("sday")),
            "{l:?}"
        );
    }

    fn mentions(list: &[(EntityKind, String)], word: &str) -> bool {
        list.iter().any(|(_, n)| n.contains(word))
    }

    #[test]
    fn scraper_headings_yield_places_not_heading_words() {
        let got = names(
            None,
            "In pictures: Kazakhstan protests escalate Leadership under pressure To placate \
             protesters, fuel prices were cut.",
        );
        assert!(has(&got, EntityKind::Location, "Kazakhstan"), "{got:?}");
        assert!(!mentions(&got, "Leadership"), "{got:?}");
        assert!(!mentions(&got, "pictures"), "{got:?}");
    }

    #[test]
    fn capitals_that_label_are_not_names() {
        let o = EntityKind::Organization;
        // A video player's labels, a column label, a newspaper in capitals.
        let got = names(
            Some("OPINION: Budget talks stall"),
            "JUST WATCHED Senator Ted Cruz speaks Replay More Videos MUST WATCH Ted Cruz \
             speaks. WATCH: the debate. He read THE WASHINGTON POST on the train.",
        );
        assert!(!mentions(&got, "WATCH"), "{got:?}");
        assert!(!mentions(&got, "OPINION"), "{got:?}");
        assert!(has(&got, EntityKind::Person, "Ted Cruz"), "{got:?}");
        assert!(has(&got, o, "WASHINGTON POST"), "{got:?}");
        // Acronyms that are also English words stay: alone, or in parentheses after a name.
        let got = names(
            None,
            "The WHO said on Monday. The Costa Rican Electricity Institute (ICE) objected.",
        );
        assert!(has(&got, o, "WHO"), "{got:?}");
        assert!(has(&got, o, "ICE"), "{got:?}");
    }

    #[test]
    fn a_small_town_that_speaks_is_a_person() {
        // Obama is also a town in Japan; Alvarado one in Mexico.
        let got = names(
            None,
            "Obama said taxes would rise. Alvarado said the plan failed.",
        );
        assert!(has(&got, EntityKind::Person, "Obama"), "{got:?}");
        assert!(has(&got, EntityKind::Person, "Alvarado"), "{got:?}");
        let got = names(None, "The Obama administration raised taxes.");
        assert!(has(&got, EntityKind::Person, "Obama"), "{got:?}");
        let got = names(None, "He was born in Obama, a town in Japan.");
        assert!(has(&got, EntityKind::Location, "Obama"), "{got:?}");
    }

    #[test]
    fn party_and_state_labels_are_not_names() {
        let got = names(
            None,
            "Sen. Chuck Schumer (D-N.Y.) spoke. Sen. Ted Cruz, R-Texas, objected.",
        );
        assert!(has(&got, EntityKind::Person, "Chuck Schumer"), "{got:?}");
        assert!(!mentions(&got, "D-N.Y"), "{got:?}");
        assert!(!mentions(&got, "R-Texas"), "{got:?}");
    }

    #[test]
    fn sentence_start_words_are_not_names() {
        let got = names(
            None,
            "Authorities said 18 people died. Protesters stormed the city hall in Almaty. \
             Security forces fired.",
        );
        assert_eq!(got, vec![(EntityKind::Location, "Almaty".to_string())]);
    }

    #[test]
    fn possessives_are_stripped_and_split() {
        let got = names(
            None,
            "In a statement, Kazakhstan's Interior Ministry said 26 were killed.",
        );
        assert!(has(&got, EntityKind::Location, "Kazakhstan"), "{got:?}");
        assert!(
            has(&got, EntityKind::Organization, "Interior Ministry"),
            "{got:?}"
        );
        assert!(!mentions(&got, "'s"), "{got:?}");
    }

    #[test]
    fn a_persons_acronym_keeps_the_person() {
        let got = names(
            None,
            "Doctors accompanied President Andrés Manuel López Obrador (AMLO) on a tour. \
             AMLO said the plan works.",
        );
        assert!(
            has(&got, EntityKind::Person, "Andrés Manuel López Obrador"),
            "{got:?}"
        );
        assert!(!has(
            &got,
            EntityKind::Organization,
            "Andrés Manuel López Obrador"
        ));
    }

    #[test]
    fn newspapers_with_a_spanish_article_are_organisations() {
        let got = names(
            None,
            "A judge ruled that two workers of La Prensa are to stay in detention. \
             \"La Prensa demands respect for the law,\" the newspaper said.",
        );
        assert!(has(&got, EntityKind::Organization, "La Prensa"), "{got:?}");
    }

    #[test]
    fn an_office_of_the_republic_is_a_title_not_a_name() {
        let got = names(
            None,
            "The President of the Republic Pedro Castillo held an audience with the minister. \
             President Castillo also welcomed the visit.",
        );
        assert!(has(&got, EntityKind::Person, "Pedro Castillo"), "{got:?}");
        assert!(!mentions(&got, "Republic"), "{got:?}");
    }

    #[test]
    fn an_office_without_a_holder_is_no_place() {
        let got = names(
            None,
            "Ministers earn less than the President of the Republic. The Secretary of State \
             flew home on Tuesday.",
        );
        assert!(!mentions(&got, "Republic"), "{got:?}");
        assert!(!mentions(&got, "State"), "{got:?}");
    }

    #[test]
    fn a_town_named_like_a_persons_surname_is_the_person() {
        let got = names(
            None,
            "Senator Marta Valverde spoke to reporters. Valverde said the vote would pass.",
        );
        assert!(has(&got, EntityKind::Person, "Marta Valverde"), "{got:?}");
        assert!(!has(&got, EntityKind::Location, "Valverde"), "{got:?}");
        // Placed by the text, the town stays a town.
        let got = names(
            None,
            "Senator Marta Valverde spoke to reporters. Floods hit the farms in Valverde.",
        );
        assert!(has(&got, EntityKind::Location, "Valverde"), "{got:?}");
    }

    #[test]
    fn ministry_portfolios_joined_by_and_stay_one_name() {
        let got = names(
            None,
            "Officials of the Ministry of Fisheries and Forestry met, as reported by Radio Uno and \
             Canal Seis.",
        );
        assert!(
            has(
                &got,
                EntityKind::Organization,
                "Ministry of Fisheries and Forestry"
            ),
            "{got:?}"
        );
        assert!(!mentions(&got, "Radio Uno and Canal Seis"), "{got:?}");
    }

    #[test]
    fn unknown_pairs_after_in_are_places_and_given_names_keep_their_surname() {
        let got = names(
            None,
            "The festival returns to the streets in Quorra Quorra next week.",
        );
        assert!(has(&got, EntityKind::Location, "Quorra Quorra"), "{got:?}");
        let got = names(None, "The decree was signed under President Miguel Franco.");
        assert!(has(&got, EntityKind::Person, "Miguel Franco"), "{got:?}");
    }

    #[test]
    fn capitalised_institution_words_are_organisations() {
        let got = names(
            None,
            "Lawyers for the Crown said the deal was fair, and the Cabinet approved it \
             after Labor voted against.",
        );
        assert!(has(&got, EntityKind::Organization, "Crown"), "{got:?}");
        assert!(has(&got, EntityKind::Organization, "Cabinet"), "{got:?}");
        assert!(has(&got, EntityKind::Organization, "Labor"), "{got:?}");
    }

    #[test]
    fn a_name_in_parentheses_after_a_person_is_their_club() {
        let got = names(
            None,
            "The squad: Pablo Serrano (Tolima), Marcos Ibarra (Zentrox) and Lucia Benitez \
             (Argentina).",
        );
        assert!(has(&got, EntityKind::Organization, "Tolima"), "{got:?}");
        assert!(has(&got, EntityKind::Organization, "Zentrox"), "{got:?}");
        assert!(has(&got, EntityKind::Location, "Argentina"), "{got:?}");
    }

    #[test]
    fn a_kind_of_body_before_a_name_makes_it_an_organisation() {
        let got = names(
            None,
            "The report appeared in the newspaper El Faro Austral, and the cartel Los \
             Halcones denied it, as did the broadcaster Marta Rivas.",
        );
        assert!(
            has(&got, EntityKind::Organization, "El Faro Austral"),
            "{got:?}"
        );
        assert!(
            has(&got, EntityKind::Organization, "Los Halcones"),
            "{got:?}"
        );
        assert!(has(&got, EntityKind::Person, "Marta Rivas"), "{got:?}");
    }

    #[test]
    fn a_park_named_after_a_chief_is_a_place() {
        let got = names(
            None,
            "Families camped at Chief Ravenwing Park over the weekend.",
        );
        assert!(
            has(&got, EntityKind::Location, "Chief Ravenwing Park"),
            "{got:?}"
        );
        assert!(!has(&got, EntityKind::Person, "Ravenwing Park"), "{got:?}");
    }

    #[test]
    fn an_institutions_possessive_ends_it() {
        let got = names(
            None,
            "The Bureau of Hydrology’s Marcus Pell warned of floods. The Nurses' Union \
             agreed with the Bank of the Republic.",
        );
        assert!(
            has(&got, EntityKind::Organization, "Bureau of Hydrology"),
            "{got:?}"
        );
        assert!(has(&got, EntityKind::Person, "Marcus Pell"), "{got:?}");
        assert!(
            has(&got, EntityKind::Organization, "Nurses' Union"),
            "{got:?}"
        );
        assert!(
            has(&got, EntityKind::Organization, "Bank of the Republic"),
            "{got:?}"
        );
    }

    #[test]
    fn a_plain_possessive_starts_a_longer_name() {
        let got = names(
            None,
            "Members of the Farmers' Alliance met. Later, Olimpo's Carla Mendez scored twice.",
        );
        assert!(
            has(&got, EntityKind::Organization, "Farmers' Alliance"),
            "{got:?}"
        );
        assert!(has(&got, EntityKind::Person, "Carla Mendez"), "{got:?}");
    }

    /// The one organisation `text` names is `name`, with `acronym` among its aliases.
    fn one_org_with_acronym(text: &str, name: &str, acronym: &str) {
        let ents = Extractor::new().extract(None, text);
        let orgs: Vec<_> = ents
            .iter()
            .filter(|e| e.kind == EntityKind::Organization)
            .collect();
        assert_eq!(orgs.len(), 1, "{ents:?}");
        assert_eq!(orgs[0].name, name);
        assert!(orgs[0].aliases.iter().any(|a| a == acronym), "{ents:?}");
    }

    #[test]
    fn acronyms_join_their_expansion() {
        one_org_with_acronym(
            "Tokayev called on the Collective Security Treaty Organization (CSTO) for help. \
             The CSTO sent troops.",
            "Collective Security Treaty Organization",
            "CSTO",
        );
    }

    #[test]
    fn an_acronym_in_apposition_joins_the_body_that_defines_it() {
        // The Russian acronym does not spell the English name; the apposition says it is.
        one_org_with_acronym(
            "Tokayev asked the Russian-led military alliance ODKB, the Collective Security \
             Treaty Organization, for help. ODKB troops arrived on Thursday.",
            "Collective Security Treaty Organization",
            "ODKB",
        );
        // A list is no apposition; nor is a known body or a place before it.
        let o = EntityKind::Organization;
        for (text, a, b) in [
            (
                "He told NBCX, the New York Times and the Post that he would run.",
                "NBCX",
                "New York Times",
            ),
            (
                "Reporters from AFP, the Associated Press, and Reuters were there.",
                "AFP",
                "Associated Press",
            ),
            (
                "Reporters from AP, the Foreign Press Association, said so.",
                "AP",
                "Foreign Press Association",
            ),
        ] {
            let got = names(None, text);
            assert!(has(&got, o, a) && has(&got, o, b), "{text}: {got:?}");
        }
    }

    #[test]
    fn titles_are_dropped_and_short_mentions_join_the_full_name() {
        let ents = Extractor::new().extract(
            None,
            "President Kassym-Jomart Tokayev spoke. Mr Tokayev said order was restored. \
             Russian defence ministry spokesman Maj Gen Igor Konashenkov said troops arrived.",
        );
        let people: Vec<_> = ents
            .iter()
            .filter(|e| e.kind == EntityKind::Person)
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(
            people,
            vec!["Kassym-Jomart Tokayev", "Igor Konashenkov"],
            "{ents:?}"
        );
        let tok = ents.iter().find(|e| e.name == "Kassym-Jomart Tokayev");
        assert!(tok.is_some_and(|e| e.aliases.contains(&"Tokayev".to_string())));
        assert!(ents
            .iter()
            .any(|e| e.kind == EntityKind::Organization && e.name == "Russian Defence Ministry"));
    }

    #[test]
    fn nationality_adjectives_and_weekdays_are_not_entities() {
        let got = names(
            None,
            "Kazakh officials met Russian diplomats on Monday. On Friday, Chinese and Kazakh \
             ministers spoke in January.",
        );
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn two_people_sharing_a_surname_stay_two() {
        let ents = Extractor::new().extract(
            None,
            "John Smith met Jane Smith in London. Later John Smith said they agreed.",
        );
        let people: Vec<_> = ents
            .iter()
            .filter(|e| e.kind == EntityKind::Person)
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(people, vec!["John Smith", "Jane Smith"], "{ents:?}");
    }

    #[test]
    fn transliteration_variants_in_one_article_are_one_person() {
        let ents = Extractor::new().extract(
            None,
            "Kassym-Jomart Tokayev spoke on Friday. Kazakh President Kasym-Zhomart Tokayev \
             said order was restored.",
        );
        let people: Vec<_> = ents
            .iter()
            .filter(|e| e.kind == EntityKind::Person)
            .collect();
        assert_eq!(people.len(), 1, "{ents:?}");
        assert!(people[0]
            .aliases
            .contains(&"Kasym-Zhomart Tokayev".to_string()));
    }

    #[test]
    fn places_by_gazetteer_suffix_and_hyphen() {
        let got = names(
            None,
            "Clashes spread to the Kyzylorda province and the western province of Mangistau. \
             The Canberra-based institute agreed.",
        );
        assert!(has(&got, EntityKind::Location, "Kyzylorda"), "{got:?}");
        assert!(has(&got, EntityKind::Location, "Mangistau"), "{got:?}");
        assert!(has(&got, EntityKind::Location, "Canberra"), "{got:?}");
    }

    #[test]
    fn organisations_by_cue_words() {
        let got = names(
            None,
            "The Supreme Court ruled against the Workers' Party. Officials at the Bank of \
             Canada and Khabar 24 agreed.",
        );
        assert!(
            has(&got, EntityKind::Organization, "Supreme Court"),
            "{got:?}"
        );
        assert!(
            has(&got, EntityKind::Organization, "Bank of Canada"),
            "{got:?}"
        );
        assert!(has(&got, EntityKind::Organization, "Khabar 24"), "{got:?}");
    }

    #[test]
    fn a_titled_surname_is_the_person_though_once_placed() {
        let (p, l) = (EntityKind::Person, EntityKind::Location);
        // "Obama" is a town in Japan, and "in Obama's comments" reads like a place; the
        // title says who it is, and the full name is in the article.
        let e = names(
            None,
            "It was a tough year for President Obama, Republicans said. The adherents \
             include Barack Obama himself, as he told the New Yorker. An undertone in \
             Obama's comments to Remnick is clear. And to my eye, Obama remains credulous.",
        );
        assert!(has(&e, p, "Barack Obama"), "{e:?}");
        assert!(!has(&e, l, "Obama"), "{e:?}");
        // A large place stays a place however it is titled: "official Washington" is an
        // idiom, and "in Washington" places it.
        let e = names(
            None,
            "Much of official Washington was silent. It happens every day in Washington. \
             We are going to Washington, D.C. now. To George Washington partisanship was \
             corrupt.",
        );
        assert!(has(&e, l, "Washington"), "{e:?}");
        assert!(has(&e, p, "George Washington"), "{e:?}");
    }

    #[test]
    fn a_possessive_role_word_is_no_title() {
        // "candidate's" says whose ambitions; "candidate" alone would title a name.
        let e = names(
            None,
            "Castro is weighing a bid that can make or break a candidate's White House \
             ambitions. The candidate Julian Castro spoke.",
        );
        assert!(!has(&e, EntityKind::Person, "White House"), "{e:?}");
        assert!(has(&e, EntityKind::Location, "White House"), "{e:?}");
        assert!(has(&e, EntityKind::Person, "Julian Castro"), "{e:?}");
        // A title before a place that names where someone works is the person's.
        let e = names(
            None,
            "The site is run by chief White House strategist Steve Bannon, said GOP \
             strategist Ford O'Connell.",
        );
        assert!(!has(&e, EntityKind::Person, "White House"), "{e:?}");
        assert!(has(&e, EntityKind::Location, "White House"), "{e:?}");
        assert!(has(&e, EntityKind::Person, "Steve Bannon"), "{e:?}");
        assert!(has(&e, EntityKind::Person, "Ford O'Connell"), "{e:?}");
    }

    #[test]
    fn an_acronym_title_splits_a_run() {
        // "CEO" in capitals is still a title before a name in plain case; "Attorney" too.
        let (p, o) = (EntityKind::Person, EntityKind::Organization);
        let e = names(
            None,
            "The Bank of America CEO Brian Moynihan said so. Manhattan U.S. Attorney \
             Geoffrey Berman agreed. PRESIDENT TRUMP SPEAKS.",
        );
        assert!(has(&e, o, "Bank of America"), "{e:?}");
        assert!(has(&e, p, "Brian Moynihan"), "{e:?}");
        assert!(has(&e, p, "Geoffrey Berman"), "{e:?}");
        assert!(!e.iter().any(|(_, n)| n.contains("CEO")), "{e:?}");
        // A company before its officer's title is a company, not a person by its shape;
        // a nationality word or a place is not a company.
        let e = names(
            None,
            "Goldman Sachs CEO Lloyd Blankfein spoke. JPMorgan Chase CEO Jamie Dimon \
             agreed. Kazakhstan President Tokayev left. Philippine President Rodrigo \
             Duterte stayed.",
        );
        assert!(has(&e, o, "Goldman Sachs"), "{e:?}");
        assert!(has(&e, o, "JPMorgan Chase"), "{e:?}");
        assert!(has(&e, p, "Lloyd Blankfein"), "{e:?}");
        assert!(has(&e, EntityKind::Location, "Kazakhstan"), "{e:?}");
        assert!(!has(&e, o, "Philippine"), "{e:?}");
        assert!(has(&e, p, "Rodrigo Duterte"), "{e:?}");
    }

    #[test]
    fn state_abbreviations_and_places_after_titles() {
        let (p, o, l) = (
            EntityKind::Person,
            EntityKind::Organization,
            EntityKind::Location,
        );
        // Dotted state and province abbreviations are their regions; two of them are not
        // one spelling ("N.Y." and "N.J."), and "S.C." is no Supreme Court by its initials.
        let e = names(
            None,
            "The talks went on for days. Sen. Lindsey Graham (R-S.C.) praised the Supreme \
             Court. Rep. Tom Smith spoke in Newark, N.J., and in Albany, N.Y., on Monday. \
             The mine is near Yellowknife, N.W.T., he said. Rome was founded in 753 B.C.",
        );
        assert!(has(&e, p, "Lindsey Graham"), "{e:?}");
        assert!(has(&e, o, "Supreme Court"), "{e:?}");
        for abbr in ["N.J.", "N.Y.", "N.W.T."] {
            assert!(has(&e, l, abbr), "{abbr}: {e:?}");
            assert!(!has(&e, o, abbr), "{abbr}: {e:?}");
        }
        assert!(!e.iter().any(|(_, n)| n == "B.C."), "{e:?}");
        let all = crate::entities::Extractor::new().extract(
            None,
            "Sen. Lindsey Graham (R-S.C.) praised the Supreme Court. Columbia, S.C. is \
             the capital. He flew to Newark, N.J., and to Albany, N.Y.",
        );
        let court = all
            .iter()
            .find(|x| x.name == "Supreme Court")
            .expect("court");
        assert!(!court.aliases.iter().any(|a| a == "S.C."), "{all:?}");
        let ny = all.iter().find(|x| x.name == "N.Y.").expect("N.Y.");
        assert!(!ny.aliases.iter().any(|a| a == "N.J."), "{all:?}");
        // "<title> of <place> <name>": the place is a place and the rest the person, and
        // "of" after a named person starts where they come from.
        let e = names(
            None,
            "On Monday he met the President of Kazakhstan Kassym-Jomart Tokayev in \
             Almaty. Governor of New York Andrew Cuomo was there. Gov. Nikki Haley of \
             S.C. and Sen. Ted Cruz of Texas were not. Secretary of State Mike Pompeo \
             left. The Comptroller General of the Republic said nothing.",
        );
        for (kind, name) in [
            (l, "Kazakhstan"),
            (p, "Kassym-Jomart Tokayev"),
            (l, "New York"),
            (p, "Andrew Cuomo"),
            (p, "Nikki Haley"),
            (p, "Ted Cruz"),
            (l, "Texas"),
            (p, "Mike Pompeo"),
        ] {
            assert!(has(&e, kind, name), "{name}: {e:?}");
        }
        assert!(!e.iter().any(|(_, n)| n.contains(" of ")), "{e:?}");
    }

    #[test]
    fn a_title_case_headline_inside_text_is_no_name() {
        // A quoted headline in title case capitalises its function words: read as a
        // headline, it yields its place, not one long organisation.
        let e = names(
            None,
            "The anchor said more Republicans did not respond.\n\n\u{201c}GOP Lawmakers \
             Silent On Trump\u{2019}s Call For China To Dig Up Biden Dirt,\u{201d} read the \
             graphic. Marc A. Thiessen and Jack St. Martin wrote about it in St. Louis.",
        );
        assert!(!e.iter().any(|(_, n)| n.split(' ').count() > 3), "{e:?}");
        assert!(has(&e, EntityKind::Location, "China"), "{e:?}");
        assert!(has(&e, EntityKind::Person, "Marc A. Thiessen"), "{e:?}");
        assert!(has(&e, EntityKind::Person, "Jack St. Martin"), "{e:?}");
        assert!(has(&e, EntityKind::Location, "St. Louis"), "{e:?}");
    }

    #[test]
    fn names_with_the_arabic_article_stay_whole_and_join_their_short_forms() {
        let p = EntityKind::Person;
        let e = Extractor::new().extract(
            None,
            "Syrian President Bashar al-Assad met aides on Monday. Later, Assad spoke to \
             Egypt's Abdel Fattah el-Sisi. Al Gore was not there.",
        );
        let assad = e
            .iter()
            .find(|x| x.name == "Bashar al-Assad")
            .expect("Bashar al-Assad");
        assert_eq!(assad.kind, p);
        assert!(assad.aliases.iter().any(|a| a == "Assad"), "{e:?}");
        assert!(
            e.iter()
                .any(|x| x.name == "Abdel Fattah el-Sisi" && x.kind == p),
            "{e:?}"
        );
        assert!(
            e.iter().any(|x| x.name == "Al Gore" && x.kind == p),
            "{e:?}"
        );
        assert!(
            !e.iter()
                .any(|x| x.name == "Bashar" || x.name == "Abdel Fattah"),
            "{e:?}"
        );
        // Across articles, with or without the article, one man; "Al Gore" keeps "Al".
        use super::canonical::person_key;
        assert_eq!(person_key("Bashar al-Assad"), person_key("Bashar Assad"));
        assert_eq!(person_key("Al-Assad"), person_key("Assad"));
        assert_ne!(person_key("Al Gore"), person_key("Gore"));
    }

    #[test]
    fn bodies_named_with_and_stay_whole_but_two_bodies_do_not_merge() {
        let o = EntityKind::Organization;
        let e = names(
            None,
            "The Department of Health and Human Services and the Food and Drug \
             Administration said so. The House Ways and Means Committee met. Leaders of \
             the House and Senate agreed, as did the White House and Congress.",
        );
        for name in [
            "Department of Health and Human Services",
            "Food and Drug Administration",
            "House Ways and Means Committee",
            "Senate",
            "Congress",
        ] {
            assert!(has(&e, o, name), "{name}: {e:?}");
        }
        assert!(
            !e.iter()
                .any(|(_, n)| n == "Means Committee" || n == "House and Senate"),
            "{e:?}"
        );
    }

    #[test]
    fn portfolios_joined_by_and_name_one_body() {
        let o = EntityKind::Organization;
        let e = names(
            None,
            "On Monday, the Energy and Commerce Committee met. Later, Health and Human \
             Services Secretary Alex Azar spoke, and the Pentagon and State Department \
             agreed. A former Health and Human Services official and the White House and \
             State Department were quiet.",
        );
        for name in ["Energy and Commerce Committee", "Health and Human Services"] {
            assert!(has(&e, o, name), "{name}: {e:?}");
        }
        assert!(has(&e, EntityKind::Person, "Alex Azar"), "{e:?}");
        // Two bodies, one known by its own name ("Pentagon", "White House"); no rank word.
        assert!(
            !e.iter().any(|(_, n)| n.contains(" and State")
                || n == "Commerce Committee"
                || n == "Human Services"
                || n.starts_with("Former")),
            "{e:?}"
        );
    }

    #[test]
    fn page_chrome_in_capitals_is_no_body() {
        let e = names(
            None,
            "SEE ALSO: The vote failed on Monday. READ MORE: Senate votes. UPDATE: The \
             committee adjourned.",
        );
        assert!(
            !e.iter()
                .any(|(_, n)| ["SEE", "MORE", "UPDATE", "READ"].contains(&n.as_str())),
            "{e:?}"
        );
    }

    #[test]
    fn a_photo_credit_names_the_agency() {
        let e = names(
            None,
            "The president spoke on Monday. (AP Photo/Evan Vucci) Reporters asked questions.",
        );
        assert!(has(&e, EntityKind::Organization, "AP"), "{e:?}");
        assert!(has(&e, EntityKind::Person, "Evan Vucci"), "{e:?}");
        assert!(!e.iter().any(|(_, n)| n == "AP Photo"), "{e:?}");
    }

    #[test]
    fn a_name_before_a_poll_is_the_pollster() {
        let (o, l) = (EntityKind::Organization, EntityKind::Location);
        let e = names(
            None,
            "A new Gallup poll found support falling. A Texas poll showed the same. \
             Exit polls were mixed, and the Quinnipiac survey agreed.",
        );
        assert!(has(&e, o, "Gallup"), "{e:?}");
        assert!(has(&e, o, "Quinnipiac"), "{e:?}");
        assert!(!has(&e, l, "Gallup"), "{e:?}");
        assert!(has(&e, l, "Texas"), "{e:?}");
        assert!(!e.iter().any(|(_, n)| n == "Exit"), "{e:?}");
    }

    #[test]
    fn plural_titles_and_time_zones() {
        let (p, o, l) = (
            EntityKind::Person,
            EntityKind::Organization,
            EntityKind::Location,
        );
        let e = names(
            None,
            "The bill was backed by Sens. Mitt Romney of Utah and Thom Tillis of North \
             Carolina. Reps. Hakeem Jeffries of New York spoke. Voting ends at 8 p.m. ET \
             on Tuesday, and GOP Sens. met at noon.",
        );
        for (kind, name) in [
            (p, "Mitt Romney"),
            (l, "Utah"),
            (p, "Thom Tillis"),
            (l, "North Carolina"),
            (p, "Hakeem Jeffries"),
            (l, "New York"),
            (o, "GOP"),
        ] {
            assert!(has(&e, kind, name), "{name}: {e:?}");
        }
        // "Sens" was the town in France, "ET" an organisation.
        assert!(
            !e.iter()
                .any(|(_, n)| n == "Sens" || n == "ET" || n.contains(" of ")),
            "{e:?}"
        );
    }

    #[test]
    fn acronyms_that_spell_a_town_are_no_place_but_datelines_are() {
        let l = EntityKind::Location;
        let e = names(
            None,
            "Lawmakers struck a deal on DACA this week. Supporters of MAGA rallied outside. \
             The court struck down DOMA on Monday.",
        );
        // DACA is another name of Dhaka, MAGA and DOMA are towns.
        for junk in ["DACA", "Dhaka", "MAGA", "Maga", "DOMA", "Doma"] {
            assert!(!has(&e, l, junk), "{junk}: {e:?}");
        }
        let e = names(
            None,
            "SEOUL (Reuters) - Talks resumed on Tuesday. \
             FERGUSON, Mo. (AP) - Protesters gathered again.",
        );
        assert!(has(&e, l, "SEOUL") || has(&e, l, "Seoul"), "{e:?}");
        assert!(has(&e, l, "FERGUSON") || has(&e, l, "Ferguson"), "{e:?}");
    }

    #[test]
    fn a_city_keeps_its_place_beside_an_organisation_named_after_it() {
        let (o, l) = (EntityKind::Organization, EntityKind::Location);
        let e = names(
            None,
            "The Washington Post reported the talks. Florida Democratic Party officials \
             said Florida voters agreed. Georgetown University students protested; \
             Georgetown said it would respond.",
        );
        assert!(has(&e, o, "Washington Post"), "{e:?}");
        assert!(has(&e, o, "Florida Democratic Party"), "{e:?}");
        assert!(has(&e, l, "Florida"), "{e:?}");
        // A school goes by its town's name alone.
        assert!(has(&e, o, "Georgetown University"), "{e:?}");
        assert!(!has(&e, l, "Georgetown"), "{e:?}");
    }

    #[test]
    fn a_small_town_the_text_never_places_is_no_place() {
        // Obama is a town in Japan: one with an administration is a person.
        let e = names(
            None,
            "The Obama administration announced a plan. Obama has also done nothing.",
        );
        assert!(has(&e, EntityKind::Person, "Obama"), "{e:?}");
        assert!(!has(&e, EntityKind::Location, "Obama"), "{e:?}");
        // Conyers (Georgia) is a common surname too: alone, nobody can tell.
        let e = names(None, "Conyers has introduced a bill in the House.");
        assert!(!has(&e, EntityKind::Location, "Conyers"), "{e:?}");
        // Placed as a dateline or by a preposition, the town is a place again.
        for text in [
            "Conyers, Ga. - The mayor spoke on Monday.",
            "Conyers, Georgia - The mayor spoke on Monday.",
            "The mayor of the city spoke in Conyers on Monday.",
        ] {
            assert!(
                has(&names(None, text), EntityKind::Location, "Conyers"),
                "{text}"
            );
        }
        // A town's name that is no family name stays a place ("the Charlottesville rally").
        let e = names(None, "The Charlottesville rally turned violent.");
        assert!(has(&e, EntityKind::Location, "Charlottesville"), "{e:?}");
        // A country after a comma describes when it is a possessor.
        let e = names(None, "The report cited Conyers, Syria's envoy, on Monday.");
        assert!(!has(&e, EntityKind::Location, "Conyers"), "{e:?}");
    }

    #[test]
    fn named_events_and_days_are_no_entities() {
        let got = names(
            None,
            "Obama will deliver the State of the Union address before the Super Bowl. \
             On Black Friday sales rose, and on Labor Day. Mother's Day is next. The \
             State Department and the European Union were consulted.",
        );
        // Nor do their words make names: no "Black" split from its weekday, no "Day" left
        // when the sentence-starting "Mother's" is dropped.
        for word in [
            "State of the Union",
            "Super Bowl",
            "Black",
            "Friday",
            "Labor Day",
            "Day",
        ] {
            assert!(!got.iter().any(|(_, n)| n == word), "{word}: {got:?}");
        }
        // Their words still make the names they are part of.
        assert!(
            has(&got, EntityKind::Organization, "State Department"),
            "{got:?}"
        );
        assert!(
            has(&got, EntityKind::Organization, "European Union"),
            "{got:?}"
        );
    }

    #[test]
    fn companies_named_with_nationality_words_keep_them() {
        let got = names(
            None,
            "Railroad operator Union Pacific said on Monday that it would cut jobs, while \
             analysts at Deutsche Bank and Credit Suisse said Qatar Airways and Saudi Aramco \
             would gain from the deal across the region this year.",
        );
        let o = EntityKind::Organization;
        for org in [
            "Union Pacific",
            "Deutsche Bank",
            "Credit Suisse",
            "Qatar Airways",
            "Saudi Aramco",
        ] {
            assert!(has(&got, o, org), "{org}: {got:?}");
        }
        // Two known bodies joined by "and" stay two.
        assert!(!got.iter().any(|(_, n)| n.contains(" and ")), "{got:?}");
    }

    #[test]
    fn portfolio_words_after_an_institutions_of_stay_in_its_name() {
        let got = names(
            None,
            "Department of Homeland Security Secretary Kirstjen Nielsen said on Monday that \
             crossings rose. Department of State Deputy Secretary John Sullivan and \
             Department of Homeland Security Press Secretary Tyler Houlton agreed.",
        );
        let o = EntityKind::Organization;
        assert!(has(&got, o, "Department of Homeland Security"), "{got:?}");
        assert!(has(&got, EntityKind::Person, "Kirstjen Nielsen"), "{got:?}");
        // Ranks and roles stay with the title.
        assert!(has(&got, o, "Department of State"), "{got:?}");
        assert!(has(&got, EntityKind::Person, "John Sullivan"), "{got:?}");
        assert!(has(&got, EntityKind::Person, "Tyler Houlton"), "{got:?}");
        assert!(!got.iter().any(|(_, n)| n.ends_with("Press")), "{got:?}");
    }

    #[test]
    fn user_text_never_panics() {
        let ex = Extractor::new();
        for t in [
            "",
            "'",
            "’s",
            "U.",
            "U.S",
            "A-",
            "-A",
            "(",
            "É",
            "Ü.Ö.",
            "X'",
            "Mr.",
            "\u{a0}A B",
            "Ab'",
            "A's",
            "1 2 3",
            "ÀÀÀ ÀÀÀ's ÀÀÀ-Àb",
            "Gen. Smith.",
            "Rio de",
            "of the",
        ] {
            let _ = ex.extract(Some(t), t);
        }
    }
}
