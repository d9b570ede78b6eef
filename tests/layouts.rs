//! One test per attribution layout and per trap of ../shared/notes/news-text.md, on short
//! texts written here. Two invented countries keep the cases free of real politics; they
//! are added to the gazetteer the way a `--config` file would add them.

use riposte::{Article, Hints, Lexicon, Role, Unit};

fn lexicon() -> Lexicon {
    let mut lex = Lexicon::builtin();
    lex.add_party("Freedonia", "Freedonia", "country");
    lex.add_party("Freedonian", "Freedonia", "demonym");
    lex.add_party("Ruritania", "Ruritania", "country");
    lex.add_party("Ruritanian", "Ruritania", "demonym");
    lex.reindex();
    lex
}

const ACCUSATION: &str = "Ruritania on Monday accused Freedonia of shelling three border villages.";

fn units(body: &str) -> Vec<Unit> {
    let text = format!("{ACCUSATION}\n\n{body}");
    riposte::extract::extract(&Article::new("t", text), &lexicon(), &Hints::default())
        .expect("extracts")
        .units
}

fn find<'a>(units: &'a [Unit], needle: &str) -> &'a Unit {
    units
        .iter()
        .find(|u| u.text.contains(needle))
        .unwrap_or_else(|| {
            panic!(
                "no unit contains {needle:?}; units: {:#?}",
                units
                    .iter()
                    .map(|u| (&u.text, u.role, &u.speaker))
                    .collect::<Vec<_>>()
            )
        })
}

fn none(units: &[Unit], needle: &str) {
    assert!(
        !units.iter().any(|u| u.text.contains(needle)),
        "unexpected unit with {needle:?}: {:#?}",
        units
            .iter()
            .filter(|u| u.text.contains(needle))
            .collect::<Vec<_>>()
    );
}

fn rebuttal_by(body: &str, needle: &str, speaker: &str) -> Unit {
    let us = units(body);
    let u = find(&us, needle).clone();
    assert_eq!(u.role, Role::Rebuttal, "{u:#?}");
    assert_eq!(u.speaker, speaker, "{u:#?}");
    u
}

const INTRO: &str = "Freedonian foreign ministry spokesman Karl Brandt rejected the accusations.";

#[test]
fn the_accusation_itself_is_a_claim() {
    let us = units(INTRO);
    let c = find(&us, "accused Freedonia");
    assert_eq!(c.role, Role::Claim);
    assert_eq!(c.kind, "accusation");
    assert_eq!(c.speaker, "Ruritania");
    assert!(c.side.starts_with("accuser"));
}

#[test]
fn layout_speaker_verb_comma_quote() {
    rebuttal_by(
        &format!("{INTRO}\n\nBrandt said, “Our army never crossed the border.”"),
        "never crossed",
        "Karl Brandt",
    );
}

#[test]
fn layout_speaker_verb_colon_quote() {
    rebuttal_by(
        &format!("{INTRO}\n\nBrandt said: “Our army never crossed the border.”"),
        "never crossed",
        "Karl Brandt",
    );
}

#[test]
fn layout_quote_then_speaker_verb() {
    rebuttal_by(
        &format!("{INTRO}\n\n“Our army never crossed the border,” Brandt said."),
        "never crossed",
        "Karl Brandt",
    );
}

#[test]
fn layout_quote_then_verb_speaker() {
    rebuttal_by(
        &format!("{INTRO}\n\n“Our army never crossed the border,” said Brandt."),
        "never crossed",
        "Karl Brandt",
    );
}

#[test]
fn layout_continuation_after_attribution() {
    let body = format!(
        "{INTRO}\n\n“Our army never crossed the border,” Brandt said. “Not one shell was fired.”"
    );
    rebuttal_by(&body, "Not one shell", "Karl Brandt");
}

#[test]
fn layout_trailing_attribution_covers_every_sentence() {
    let body = format!("{INTRO}\n\n“Our army never crossed the border. Not one shell was fired. The villages are intact,” he said.");
    for s in ["never crossed", "Not one shell", "villages are intact"] {
        rebuttal_by(&body, s, "Karl Brandt");
    }
}

#[test]
fn layout_indirect_speech() {
    let u = rebuttal_by(
        &format!("{INTRO}\n\nBrandt said that the allegations were baseless."),
        "were baseless",
        "Karl Brandt",
    );
    assert_eq!(u.quote_type, "indirect");
}

#[test]
fn layout_according_to() {
    rebuttal_by(
        &format!("{INTRO}\n\nAccording to Brandt, the allegations are baseless."),
        "are baseless",
        "Karl Brandt",
    );
}

#[test]
fn layout_apposition_and_while_clause() {
    rebuttal_by("Karl Brandt, the Freedonian foreign ministry spokesman, said the allegations were baseless.", "were baseless", "Karl Brandt");
    rebuttal_by("Freedonian spokesman Karl Brandt, while speaking at a briefing in the capital, said, “The allegations are baseless.”", "are baseless", "Karl Brandt");
}

#[test]
fn layout_saying_quote() {
    let u = rebuttal_by(
        "Freedonia rejected the accusations, saying “our troops stayed on our side of the border.”",
        "stayed on our side",
        "Freedonia",
    );
    assert_eq!(u.kind, "rejection");
}

#[test]
fn layout_passive_by_speaker() {
    let us = units("Freedonia was also criticised by Ruritania for closing the border crossing.");
    let c = find(&us, "criticised by Ruritania");
    assert_eq!(c.role, Role::Claim);
    assert_eq!(c.speaker, "Ruritania");
}

#[test]
fn layout_told_reporters_and_statement() {
    rebuttal_by(
        &format!("{INTRO}\n\nBrandt told reporters the allegations were baseless."),
        "were baseless",
        "Karl Brandt",
    );
    rebuttal_by(
        "In a statement, the Freedonian foreign ministry rejected the accusations.",
        "In a statement",
        "foreign ministry",
    );
}

#[test]
fn layout_next_paragraph_quote_inherits() {
    let u = rebuttal_by(&format!("{INTRO}\n\nBrandt said they were surprised.\n\n“We have never fired a single shell across the border.”"), "single shell", "Karl Brandt");
    assert_eq!(u.quote_type, "floating");
}

#[test]
fn layout_pronoun_and_surname() {
    rebuttal_by(
        &format!("{INTRO}\n\nHe said the villages had been shelled by rebels."),
        "shelled by rebels",
        "Karl Brandt",
    );
}

#[test]
fn layout_shouted_claim() {
    let us = units("“Freedonia shelled our villages!” another Ruritanian lawmaker shouted.");
    let c = find(&us, "shelled our villages");
    assert_eq!(c.role, Role::Claim);
}

#[test]
fn counter_accusation_is_a_rebuttal() {
    let u = rebuttal_by(
        &format!("{INTRO}\n\nBrandt accused Ruritania of staging the incident."),
        "staging the incident",
        "Karl Brandt",
    );
    assert_eq!(u.kind, "counter-accusation");
}

#[test]
fn non_denial_response() {
    let u = rebuttal_by(
        "Freedonia said it was probing the allegations.",
        "probing",
        "Freedonia",
    );
    assert_eq!(u.kind, "non-denial response");
}

#[test]
fn standing_position_is_a_background_rebuttal() {
    let u = rebuttal_by(
        "Freedonia has repeatedly denied the accusations.",
        "repeatedly denied",
        "Freedonia",
    );
    assert!(u.rule.contains("standing position"), "{}", u.rule);
}

#[test]
fn mixed_quote_fragment() {
    let us = units("Ruritania also accused the country of “aggression”.");
    let c = find(&us, "aggression");
    assert_eq!(c.role, Role::Claim);
    assert_eq!(c.quote_type, "mixed");
}

#[test]
fn trap_legal_senses() {
    let us = units("The Supreme Court rejected the petition filed by the villagers.\n\nTwo men were charged with smuggling last year.");
    none(&us, "rejected the petition");
    none(&us, "charged with smuggling");
}

#[test]
fn trap_negated_and_non_responses() {
    let us = units("Freedonia did not respond to a request for comment.\n\nIts embassy declined to comment.\n\nFreedonia did not deny the shelling.");
    none(&us, "did not respond");
    none(&us, "declined to comment");
    none(&us, "did not deny");
}

#[test]
fn trap_cue_inside_an_unrelated_quote() {
    let us = units(
        "“We rejected the old design years ago,” said the architect of the new bridge, Anna Weiss.",
    );
    none(&us, "old design");
}

#[test]
fn trap_no_dispute_no_units() {
    let text = "The city council approved a new budget on Tuesday.\n\n“We are pleased with the result,” the mayor said.";
    let us = riposte::extract::extract(&Article::new("t", text), &lexicon(), &Hints::default())
        .unwrap()
        .units;
    assert!(us.is_empty(), "{us:#?}");
}

#[test]
fn residue_and_subheadings_give_no_units() {
    let us = units("View this post on Instagram\n\nFreedonia rejects Ruritanian claims\n\nFreedonia rejected the accusations.");
    none(&us, "Instagram");
    assert_eq!(
        us.iter()
            .filter(|u| u.text.contains("rejects Ruritanian claims"))
            .count(),
        0
    );
    find(&us, "rejected the accusations");
}

#[test]
fn hints_fix_the_sides() {
    let text = "Acme blamed Globex for the outage.\n\nGlobex said the claim was false.";
    let hints = Hints {
        accusers: vec!["Acme".into()],
        responders: vec!["Globex".into()],
    };
    let us = riposte::extract::extract(&Article::new("t", text), &lexicon(), &hints)
        .unwrap()
        .units;
    assert_eq!(find(&us, "blamed Globex").role, Role::Claim);
    assert_eq!(find(&us, "claim was false").role, Role::Rebuttal);
}

#[test]
fn subject_before_a_titled_parenthetical() {
    // The subject opens the sentence; a quoted title and a participle clause stand between
    // it and the verb.
    let text = "Freedonia rejected allegations in a Ruritanian television documentary.\n\n\
                The documentary, \u{201c}Border Nights\u{201d}, broadcast on Sunday by the Ruritanian \
                broadcaster RTV, alleged that Freedonian troops shelled three villages.";
    let us = riposte::extract::extract(&Article::new("t", text), &lexicon(), &Hints::default())
        .unwrap()
        .units;
    let u = find(&us, "alleged that Freedonian troops");
    assert_eq!(u.role, Role::Claim, "{u:#?}");
    assert_eq!(u.speaker, "documentary", "{u:#?}");
}

#[test]
fn an_outlet_reporting_its_own_story_is_not_its_answer() {
    let text = "The Ministry of Health accused The Daily Courier of publishing false figures.\n\n\
                The Courier reported last week that 60 patients had died at the hospital.\n\n\
                The Courier said it stood by its reporting.";
    let us = riposte::extract::extract(&Article::new("t", text), &lexicon(), &Hints::default())
        .unwrap()
        .units;
    none(&us, "reported last week");
    let u = find(&us, "stood by its reporting");
    assert_eq!(u.role, Role::Rebuttal, "{u:#?}");
    assert_eq!(
        u.party, "Daily Courier",
        "the short name is the same organisation: {u:#?}"
    );
}

#[test]
fn a_ministry_named_in_full_is_the_government_side() {
    // The accused is named in full ("Ministry of X and Y"); the answer comes from its
    // minister: both stand for the government.
    let text = "An environmental group accused the Ministry of Mines and Minerals Development \
                of issuing licences inside a protected forest.\n\n\
                Mines Minister Chanda Mwale hit back on Thursday, saying the report was full of errors.";
    let us = riposte::extract::extract(&Article::new("t", text), &lexicon(), &Hints::default())
        .unwrap()
        .units;
    assert_eq!(find(&us, "accused the Ministry").role, Role::Claim);
    assert_eq!(find(&us, "hit back").role, Role::Rebuttal);
}

#[test]
fn a_second_reporting_verb_carries_the_accusation() {
    // The charge comes after "and said", far from the first verb.
    let text = "Ruritania accused Freedonia of dumping steel.\n\n\
                Trade Commissioner Anna Berg told the Ruritanian parliament's trade committee that \
                Ruritania would use every instrument at its disposal, and said Freedonia had ignored \
                a clear ruling.\n\nFreedonia rejected the accusations.";
    let us = riposte::extract::extract(&Article::new("t", text), &lexicon(), &Hints::default())
        .unwrap()
        .units;
    assert_eq!(find(&us, "ignored a clear ruling").role, Role::Claim);
}

#[test]
fn office_of_the_trade_representative_is_one_institution() {
    let text = "Ruritania accused Freedonia of blocking dairy imports.\n\n\
                In a statement, the Office of the Ruritanian Trade Representative said Freedonia \
                had allocated its quotas to domestic processors.\n\n\
                \u{201c}Freedonia has had two years to fix this,\u{201d} the office said.\n\n\
                Freedonia rejected the accusations.";
    let us = riposte::extract::extract(&Article::new("t", text), &lexicon(), &Hints::default())
        .unwrap()
        .units;
    let u = find(&us, "two years to fix this");
    assert_eq!(u.role, Role::Claim, "{u:#?}");
    assert_eq!(u.party, "Ruritania", "{u:#?}");
}

#[test]
fn an_office_is_not_the_country_its_sentence_accuses() {
    // The last country to speak is Ruritania, but the ministry accuses Ruritanian forces:
    // it is Freedonia's.
    let text = "Freedonia expelled a Ruritanian diplomat, accusing Ruritania of espionage.\n\n\
                Ruritania rejected the accusations as hysteria.\n\n\
                Separately, the Ministry of Defence accused Ruritanian forces of jamming the \
                navigation signal of a patrol aircraft.";
    let us = riposte::extract::extract(&Article::new("t", text), &lexicon(), &Hints::default())
        .unwrap()
        .units;
    let u = find(&us, "jamming the navigation signal");
    assert_eq!(u.role, Role::Claim, "{u:#?}");
    assert_eq!(u.party, "Freedonia", "{u:#?}");
}

#[test]
fn mutual_charges_keep_the_first_accuser_as_accuser() {
    // The union accuses first; the council later charges the union too and is answered.
    // The union's opening charge and its official's quotes stay claims; the council's
    // answers, even when they jab at the union, stay rebuttals.
    let text = "The Amalgamated Transit Workers\u{2019} Union accused Lakeford City Council of \
                gambling with passengers\u{2019} safety by cutting maintenance budgets.\n\n\
                Regional secretary Joanne Pritchard said drivers had raised the problem repeatedly.\n\n\
                A council spokeswoman said every bus in service had passed its safety inspection and \
                that the union\u{2019}s claims were scaremongering.\n\n\
                \u{201c}If the union really cared about passengers, it would not be calling a \
                strike,\u{201d} deputy council leader Harjit Sandhu said.\n\n\
                The council has also accused the union of misleading its members about the pay offer.\n\n\
                Pritchard dismissed that as \u{201c}pure spin.\u{201d}";
    let us = riposte::extract::extract(&Article::new("t", text), &lexicon(), &Hints::default())
        .unwrap()
        .units;
    let first = find(&us, "gambling with passengers");
    assert_eq!(first.role, Role::Claim, "{first:#?}");
    assert_eq!(first.speaker, "Amalgamated Transit Workers\u{2019} Union");
    assert_eq!(find(&us, "raised the problem repeatedly").role, Role::Claim);
    assert_eq!(
        find(&us, "passed its safety inspection").role,
        Role::Rebuttal
    );
    assert_eq!(
        find(&us, "really cared about passengers").role,
        Role::Rebuttal
    );
}

#[test]
fn a_spokesperson_for_an_institution_and_a_new_spokesperson() {
    // "The spokesperson for X" speaks for X, also later as "the spokesperson"; "a Y
    // spokesperson" is someone new, here a third party with no role.
    let text = "Ruritania accused Freedonia of building military posts inside the buffer zone.\n\n\
                The spokesperson for Freedonia\u{2019}s Ministry of External Affairs, speaking at \
                the weekly briefing, said: \u{201c}Our troops have always stayed on our side of the line.\u{201d}\n\n\
                The spokesperson also denied that any Ruritanian post had been damaged.\n\n\
                In Washington, a State Department spokesperson said the United States was \
                monitoring the situation.";
    let us = riposte::extract::extract(&Article::new("t", text), &lexicon(), &Hints::default())
        .unwrap()
        .units;
    let u = find(&us, "also denied");
    assert_eq!(u.role, Role::Rebuttal, "{u:#?}");
    assert_eq!(u.speaker, "Ministry of External Affairs", "{u:#?}");
    none(&us, "monitoring the situation");
}

#[test]
fn a_falsehood_charge_in_the_lede_answers_the_papers_allegations() {
    // The accused speaks first, charging the paper with falsehoods; the paper's own
    // allegations follow. The paper is the accuser, the ministry's charge the answer.
    let text = "The Ministry of Roads on Monday accused the Daily Chronicle of running a \
                \u{2018}campaign of falsehoods\u{2019} after the newspaper reported that a highway \
                contract had been inflated.\n\n\
                The paper also alleged that two subcontractors were owned by relatives of a \
                senior ministry official.";
    let us = riposte::extract::extract(&Article::new("t", text), &lexicon(), &Hints::default())
        .unwrap()
        .units;
    assert_eq!(find(&us, "campaign of falsehoods").role, Role::Rebuttal);
    assert_eq!(find(&us, "also alleged").role, Role::Claim);
}

#[test]
fn the_answerers_own_ministry_is_not_a_reference_to_the_accuser() {
    // Both sides have a Foreign Ministry; the one in the rebuttal's subject is the
    // answerer's own, so the blanket rejection covers every claim, not only the accuser
    // ministry's.
    let text = "Ruritania accused Freedonia of cutting off water to a shared canal.\n\n\
                Ruritania\u{2019}s Foreign Ministry said Freedonian workers had installed a concrete barrier.\n\n\
                Freedonia\u{2019}s Foreign Ministry spokesman, Karl Brandt, rejected the accusations \
                as groundless.";
    let lex = lexicon();
    let article = Article::new("t", text);
    let ex = riposte::extract::extract(&article, &lex, &Hints::default()).unwrap();
    let rows = riposte::pair::pair_batch(
        &[("t".to_string(), ex.units)],
        &lex,
        &riposte::pair::PairOptions::default(),
    );
    let linked: Vec<&str> = rows
        .iter()
        .filter(|r| {
            r.rebuttal
                .as_ref()
                .is_some_and(|u| u.text.contains("groundless"))
                && r.claim.is_some()
        })
        .map(|r| r.claim.as_ref().unwrap().text.as_str())
        .collect();
    assert_eq!(linked.len(), 2, "{linked:#?}");
}

#[test]
fn a_name_ending_the_apposition_is_the_speaker() {
    // "said the union's secretary-general, Name," and "the association's president, former
    // world champion Name, told": the person speaks, for the organisation; the surname
    // alone later is the same person. A plural possessive stays inside a name.
    let text = "The Continental Cycling Union was accused by the Professional Cyclists\u{2019} \
                Association of withholding prize money.\n\n\
                \u{201c}Riders are being cheated,\u{201d} the association\u{2019}s president, former \
                world champion Lotte Vermeulen, told reporters.\n\n\
                \u{201c}Every euro owed will be paid,\u{201d} said the union\u{2019}s \
                secretary-general, Marc-Andr\u{e9} Dufresne.\n\n\
                Dufresne rejected any link between the payments and squad selection.";
    let us = riposte::extract::extract(&Article::new("t", text), &lexicon(), &Hints::default())
        .unwrap()
        .units;
    let first = find(&us, "was accused by");
    assert_eq!(
        first.speaker, "Professional Cyclists\u{2019} Association",
        "{first:#?}"
    );
    let c = find(&us, "being cheated");
    assert_eq!(
        (c.role, c.speaker.as_str()),
        (Role::Claim, "Lotte Vermeulen"),
        "{c:#?}"
    );
    let r = find(&us, "Every euro");
    assert_eq!(r.speaker, "Marc-Andr\u{e9} Dufresne", "{r:#?}");
    let r = find(&us, "rejected any link");
    assert_eq!(
        (r.role, r.speaker.as_str()),
        (Role::Rebuttal, "Marc-Andr\u{e9} Dufresne")
    );
}

#[test]
fn two_countries_accusing_together_in_a_joint_statement() {
    // "Ruritania and Cyprus ... accused Freedonia ..., in a joint statement": one side of
    // two parties; the statement is theirs, and a minister of either speaks for that side.
    let text = "Ruritania and Cyprus on Wednesday accused Freedonia of sending a survey ship \
                into their waters, in a joint statement issued after their ministers met.\n\n\
                The joint statement said the Freedonian vessel had spent four days in the zone.\n\n\
                Ruritanian Foreign Minister Nikos Papadimas said Freedonia had ignored three \
                written protests.\n\n\
                Freedonia rejected the joint statement as one-sided.";
    let us = riposte::extract::extract(&Article::new("t", text), &lexicon(), &Hints::default())
        .unwrap()
        .units;
    let lede = find(&us, "accused Freedonia");
    assert_eq!(lede.role, Role::Claim, "{lede:#?}");
    assert_eq!(lede.speaker, "Ruritania and Cyprus");
    let doc = find(&us, "four days in the zone");
    assert_eq!(
        (doc.role, doc.speaker.as_str()),
        (Role::Claim, "joint statement")
    );
    assert_eq!(find(&us, "ignored three").role, Role::Claim);
    assert_eq!(find(&us, "one-sided").role, Role::Rebuttal);
}

#[test]
fn a_bare_spokesman_speaks_for_the_organisation_that_just_spoke() {
    let text = "The regulator accused Northbrook Water Ltd. of hiding sewage spills.\n\n\
                The company rejected the suggestion that it had hidden anything.\n\n\
                \u{201c}There was no concealment of any kind,\u{201d} a spokesman said.";
    let us = riposte::extract::extract(&Article::new("t", text), &lexicon(), &Hints::default())
        .unwrap()
        .units;
    let u = find(&us, "no concealment");
    assert_eq!(u.role, Role::Rebuttal, "{u:#?}");
    assert_eq!(u.party, "Northbrook Water Ltd.", "{u:#?}");
}

#[test]
fn a_statement_the_speaker_issued_speaks_for_it_later() {
    let text = "The club accused the Southern League of bias over a points deduction.\n\n\
                The league hit back in a statement, saying the sanction was imposed by an \
                independent commission.\n\n\
                \u{201c}Any suggestion of bias is false,\u{201d} the statement said.";
    let us = riposte::extract::extract(&Article::new("t", text), &lexicon(), &Hints::default())
        .unwrap()
        .units;
    let u = find(&us, "suggestion of bias");
    assert_eq!(u.role, Role::Rebuttal, "{u:#?}");
    assert_eq!(u.speaker, "Southern League", "{u:#?}");
}

#[test]
fn a_lowercase_pronoun_after_a_fronted_phrase_is_the_subject() {
    let text = "Ruritania accused Freedonia of pushing migrants across the border.\n\n\
                The Freedonian State Border Committee dismissed the accusations as propaganda.\n\n\
                In a statement posted on its channel, it said Ruritanian guards had beaten migrants.";
    let us = riposte::extract::extract(&Article::new("t", text), &lexicon(), &Hints::default())
        .unwrap()
        .units;
    let u = find(&us, "had beaten migrants");
    assert_eq!(u.role, Role::Rebuttal, "{u:#?}");
    assert_eq!(u.party, "Freedonia", "{u:#?}");
}

#[test]
fn a_civil_body_named_after_its_country_is_not_that_country() {
    let text = "Freedonia's Ministry of Roads accused the Daily Chronicle of running a \
                campaign of falsehoods after the newspaper reported that contracts were inflated.\n\n\
                The Freedonia Journalists Association accused the ministry of trying to \
                intimidate a newspaper.";
    let us = riposte::extract::extract(&Article::new("t", text), &lexicon(), &Hints::default())
        .unwrap()
        .units;
    let u = find(&us, "trying to intimidate");
    assert_eq!(u.role, Role::Claim, "{u:#?}");
    assert_eq!(u.party, "Freedonia Journalists Association", "{u:#?}");
}

#[test]
fn a_report_by_a_group_with_a_plural_possessive_name() {
    // "a report by Shoppers' Voice Freedonia": the report is the group's (the name runs on
    // over the plural possessive), not Freedonia's.
    let text = "A consumer group criticised Coastline Markets Ltd. for shrinking its products.\n\n\
                According to a report by Shoppers\u{2019} Voice Freedonia, Coastline reduced the \
                pack size of 312 items.";
    let lines = riposte::extract::explain(&Article::new("t", text), &lexicon(), &Hints::default());
    let report = lines
        .iter()
        .find(|l| l.contains("entity") && l.contains("\"report\" Document"))
        .unwrap_or_else(|| panic!("no report entity: {lines:#?}"));
    assert!(report.contains("party=Shoppers\u{2019} Voice"), "{report}");
}
