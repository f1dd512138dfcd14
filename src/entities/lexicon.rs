//! Hand-kept closed word classes the extractor reasons with: titles, organisation and place
//! cue words, connectors, nationality adjectives, calendar words and non-entity acronyms.
//!
//! All lists are lowercase and ASCII-folded; lookups fold the text the same way.

/// Words that head a title before a person's name ("President Tokayev", "Maj Gen Igor ...").
pub const TITLE_HEADS: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "president", "minister",
    "premier", "chancellor", "senator", "sen", "rep", "representative", "congressman",
    "congresswoman", "governor", "gov", "mayor", "general", "gen", "maj", "major", "col",
    "colonel", "lt", "lieutenant", "capt", "captain", "sgt", "sergeant", "admiral", "adm",
    "commander", "cmdr", "brig", "brigadier", "marshal", "king", "queen", "prince", "princess",
    "sheikh", "emir", "sultan", "pope", "cardinal", "bishop", "archbishop", "rev", "reverend",
    "father", "pastor", "rabbi", "imam", "judge", "justice", "secretary", "ambassador",
    "envoy", "speaker", "sir", "dame", "lord", "lady", "baron", "baroness", "detective",
    "inspector", "superintendent", "constable", "coach", "councillor",
    "councilor", "alderman", "commissioner", "director", "chairman", "chairwoman",
    "ceo", "spokesman", "spokeswoman", "spokesperson", "prosecutor", "dean",
    "chief", "leader", "vice-president", "presidente",
    "mp", "mep", "mla", "assemblyman", "assemblywoman", "attorney-general",
    "director-general", "secretary-general", "governor-general", "lieutenant-governor",
    "major-general", "lieutenant-general", "lieutenant-colonel", "ex-president",
    "prime-minister", "vice-minister", "deputy-minister", "sub-secretary", "undersecretary",
];

/// Words that may stand before a title head ("Deputy Health Minister", "Former Prime
/// Minister"); dropped with it.
pub const TITLE_MODIFIERS: &[&str] = &[
    "deputy", "vice", "acting", "former", "ex", "first", "chief", "prime", "foreign", "defence",
    "defense", "interior", "health", "finance", "economy", "economic", "justice", "education",
    "energy", "trade", "home", "state", "agriculture", "environment", "labour", "labor",
    "security", "public", "culture", "tourism", "transport", "interim", "junior", "senior",
    "supreme", "grand", "crown", "attorney", "solicitor", "lieutenant", "major", "brigadier",
    "army", "police", "us", "u.s.", "federal", "opposition", "party", "union", "national",
    "regional", "provincial", "general", "assistant", "associate", "executive", "managing",
    "new", "then", "late", "shadow", "treasury", "immigration", "development", "mining",
    "industry", "communications", "information", "sports", "women", "social", "welfare",
    "planning", "fisheries", "water", "housing", "infrastructure", "migration", "indigenous",
];

/// Last words that make a capitalised phrase an organisation ("Interior Ministry").
pub const ORG_HEADS: &[&str] = &[
    "ministry", "department", "agency", "bank", "university", "college", "court", "council",
    "party", "commission", "committee", "organization", "organisation", "association", "union",
    "institute", "institution", "corporation", "corp", "inc", "ltd", "llc", "plc", "co", "group",
    "company", "foundation", "fund", "federation", "confederation", "league", "club", "society",
    "authority", "board", "bureau", "service", "services", "army", "navy", "police", "senate",
    "congress", "parliament", "assembly", "cabinet", "secretariat", "tribunal", "network",
    "news", "times", "post", "herald", "journal", "tribune", "gazette", "telegraph", "guardian",
    "press", "radio", "television", "airlines", "airways", "motors", "industries", "holdings",
    "partners", "petroleum", "systems", "technologies", "media", "broadcasting", "reserve",
    "front", "movement", "alliance", "coalition", "church", "chamber", "treasury", "cartel",
    "brigade", "brigades", "battalion", "regiment", "command", "academy", "laboratory",
    "laboratories", "trust", "consortium", "cooperative", "syndicate", "directorate",
    "administration", "agency", "observer", "mail", "express", "monitor", "chronicle",
    "review", "magazine", "daily", "weekly", "today", "forces", "force", "guard", "office",
    "commissioner", "ombudsman", "exchange", "bloc", "caucus", "conference", "forum", "unit",
    "centre", "center", "institutes", "nations", "organizations", "organisations", "parties",
    "unions", "international", "worldwide", "global", "pharmaceuticals", "energy", "oil",
    "gas", "mining", "telecom", "communications", "electric", "airport", "hospital", "school",
    "team", "fc", "clinic", "registry", "observatory", "programme", "program", "initiative",
    "project", "campaign", "mission", "republicans", "democrats", "government", "tv",
    "sports", "bancorp", "airline", "ministerio", "fc", "cf", "sa", "s.a.", "ag", "gmbh",
];

/// First words that make a capitalised phrase an organisation ("Copa Libertadores", "Grupo
/// Bimbo", "Club Atlético Independiente"): Spanish and Portuguese institutions in English text.
pub const ORG_FIRST: &[&str] = &[
    "club", "grupo", "banco", "copa", "radio", "canal", "diario", "partido", "frente",
    "movimiento", "fundación", "fundacion", "asociación", "asociacion", "universidad",
    "instituto", "ministerio", "consejo", "comité", "comite", "comisión", "comision", "corte",
    "tribunal", "liga", "federación", "federacion", "unión", "union", "sindicato",
    "cooperativa", "colegio", "museo", "teatro", "editorial", "compañía", "compania",
    "empresa", "deportivo", "atlético", "atletico", "real", "sporting", "racing", "sociedad",
    "secretaría", "secretaria", "superintendencia", "procuraduría", "fiscalía", "alcaldía",
    "gobierno", "agencia", "centro", "red", "observatorio", "orquesta", "periódico", "revista",
    "confederación", "cámara", "camara", "policía", "ejército", "fuerza", "fuerzas", "armada",
    "servicio", "oficina", "dirección", "direccion", "registro", "consejería", "conselho",
    "fundação", "associação", "universidade", "instituto", "ministério", "partido",
    "tribunal", "supremo", "congresso", "senado", "congreso", "asamblea", "cabildo",
    "escuela", "colectivo", "pacto", "alianza", "coordinadora", "juventud", "frente",
];

/// Last words of capitalised place names that are not administrative units ("Rila
/// Monastery", "Lions Bridge", "Plaza de Armas"): facilities and landmarks.
pub const FACILITY_WORDS: &[&str] = &[
    "monastery", "bridge", "mosque", "cathedral", "temple", "square", "park", "palace",
    "beach", "falls", "volcano", "forest", "street", "avenue", "road", "highway", "plaza",
    "harbour", "harbor", "port", "cape", "point", "glacier", "reef", "lagoon", "castle",
    "tower", "stadium", "arena", "market", "hill", "hills", "heights", "springs", "creek",
    "station", "airport", "wharf", "pier", "dam", "reserve", "sanctuary", "refuge", "trail",
    "boulevard", "lane", "gardens", "garden", "memorial", "monument", "hall", "museum",
];

/// First words of Spanish and Portuguese place names ("Rio de Piedras", "San Pedro Sula").
pub const PLACE_FIRST: &[&str] = &[
    "rio", "río", "san", "santa", "santo", "são", "sao", "puerto", "porto", "villa", "ciudad",
    "playa", "playas", "cerro", "lago", "laguna", "sierra", "isla", "islas", "monte", "valle",
    "bahía", "bahia", "cabo", "costa", "norte", "sur", "punta", "nuevo", "nueva", "barra",
    "fort", "port", "mount", "lake", "cape", "mt", "ft", "st", "saint", "bosque", "parque",
    "volcán", "volcan", "arroyo", "quebrada", "llano", "llanos", "pampa", "isle", "gulf",
];

/// First words of "X of Y" organisation names ("Ministry of the Interior").
pub const ORG_HEADS_OF: &[&str] = &[
    "ministry", "department", "bank", "university", "college", "court", "council",
    "commission", "committee", "organization", "organisation", "association", "union",
    "institute", "federation", "league", "society", "board", "bureau", "office", "chamber",
    "church", "academy", "party", "house", "senate", "parliament", "assembly", "secretariat",
    "national", "federal", "supreme", "central", "confederation", "agency", "authority",
    "school", "faculty", "centre", "center", "museum", "order", "corps", "friends",
    "movement", "alliance", "coalition", "federación", "banco", "ministerio", "secretaría",
    "universidad", "instituto", "partido", "consejo", "comisión", "tribunal", "police", "army",
];

/// Words after a name that make it a place ("Kyzylorda province", "Mangistau Region").
pub const PLACE_SUFFIXES: &[&str] = &[
    "province", "region", "oblast", "state", "county", "district", "department", "prefecture",
    "territory", "municipality", "city", "town", "village", "island", "islands", "valley",
    "river", "lake", "mountains", "mountain", "peninsula", "desert", "basin", "coast", "bay",
    "sea", "ocean", "canyon", "gulf", "strait", "canal", "governorate", "emirate", "canton",
    "borough", "parish", "commune", "krai", "republic",
];

/// Words before "of X" that make X a place ("province of Mangistau", "city of Almaty").
pub const PLACE_OF: &[&str] = &[
    "province", "region", "state", "county", "district", "department", "city", "town",
    "village", "island", "islands", "capital", "municipality", "prefecture", "territory",
    "governorate", "oblast", "port", "outskirts", "streets", "suburbs", "republic",
];

/// Lowercase words that may join capitalised words inside one name.
pub const NAME_PARTICLES: &[&str] = &[
    "de", "da", "do", "dos", "das", "del", "della", "di", "du", "la", "le", "van", "von", "der",
    "den", "ter", "bin", "ibn", "al", "el", "y", "e", "af", "zu", "st",
];

/// Nationality and group adjectives: never entities on their own ("Kazakh", "Russian").
pub const DEMONYMS: &[&str] = &[
    "afghan", "albanian", "algerian", "american", "andorran", "angolan", "argentine",
    "argentinian", "armenian", "australian", "austrian", "azerbaijani", "azeri", "bahamian",
    "bahraini", "bangladeshi", "barbadian", "belarusian", "belgian", "belizean", "beninese",
    "bhutanese", "bolivian", "bosnian", "brazilian", "british", "bruneian", "bulgarian",
    "burkinabe", "burmese", "burundian", "cambodian", "cameroonian", "canadian", "chadian",
    "chilean", "chinese", "colombian", "congolese", "costa rican", "croatian", "cuban",
    "cypriot", "czech", "danish", "djiboutian", "dominican", "dutch", "ecuadorian", "egyptian",
    "emirati", "english", "equatoguinean", "eritrean", "estonian", "ethiopian", "european",
    "fijian", "filipino", "finnish", "french", "gabonese", "gambian", "georgian", "german",
    "ghanaian", "greek", "grenadian", "guatemalan", "guinean", "guyanese", "haitian",
    "honduran", "hungarian", "icelandic", "indian", "indonesian", "iranian", "iraqi", "irish",
    "israeli", "italian", "ivorian", "jamaican", "japanese", "jordanian", "kazakh",
    "kazakhstani", "kenyan", "korean", "kosovar", "kuwaiti", "kyrgyz", "lao", "laotian",
    "latvian", "lebanese", "liberian", "libyan", "lithuanian", "luxembourgish", "macedonian",
    "malagasy", "malawian", "malaysian", "maldivian", "malian", "maltese", "mauritanian",
    "mauritian", "mexican", "moldovan", "monegasque", "mongolian", "montenegrin", "moroccan",
    "mozambican", "namibian", "nepalese", "nepali", "nicaraguan", "nigerian", "nigerien",
    "norwegian", "omani", "pakistani", "palestinian", "panamanian", "paraguayan", "peruvian",
    "polish", "portuguese", "qatari", "romanian", "russian", "rwandan", "salvadoran",
    "salvadorean", "samoan", "saudi", "scottish", "senegalese", "serbian", "sierra leonean",
    "singaporean", "slovak", "slovenian", "somali", "south african", "spanish", "sri lankan",
    "sudanese", "surinamese", "swedish", "swiss", "syrian", "taiwanese", "tajik", "tanzanian",
    "thai", "togolese", "tongan", "trinidadian", "tunisian", "turkish", "turkmen", "ugandan",
    "ukrainian", "uruguayan", "uzbek", "venezuelan", "vietnamese", "welsh", "yemeni",
    "zambian", "zimbabwean", "soviet", "western", "eastern", "northern", "southern", "asian",
    "african", "arab", "arabic", "latin", "latino", "latina", "hispanic", "caribbean",
    "scandinavian", "nordic", "baltic", "balkan", "slavic", "persian", "kurdish", "jewish",
    "muslim", "christian", "catholic", "protestant", "orthodox", "islamic", "buddhist",
    "hindu", "sikh", "indigenous", "aboriginal", "inuit", "maori", "mayan", "aztec",
    "andean", "amazonian", "pacific", "atlantic", "mediterranean", "european", "sunni",
    "shia", "shiite", "evangelical", "anglican", "mennonite", "quebecois", "quebecer",
    "texan", "californian", "floridian", "new zealander", "kiwi", "aussie", "yukoner",
    "nunavummiut", "metis", "métis", "first nations", "chechen", "tatar", "uighur", "uyghur",
    "pashtun", "tamil", "sinhalese", "basque", "catalan", "galician", "andalusian",
    "flemish", "walloon", "corsican", "sardinian", "sicilian", "bavarian", "cossack",
    "americans", "russians", "kazakhs", "cubans", "mexicans", "canadians", "australians",
    "brazilians", "chinese", "europeans", "venezuelans", "nicaraguans", "colombians",
    "peruvians", "argentines", "argentinians", "chileans", "ecuadorians", "bolivians",
    "paraguayans", "uruguayans", "panamanians", "hondurans", "salvadorans", "guatemalans",
    "haitians", "dominicans", "costa ricans", "jamaicans", "britons", "brits", "germans",
    "italians", "spaniards", "poles", "ukrainians", "israelis", "palestinians", "iranians",
    "iraqis", "syrians", "afghans", "pakistanis", "indians", "japanese", "koreans",
    "filipinos", "indonesians", "africans", "asians", "arabs", "muslims", "christians",
    "jews", "catholics", "democrat", "republican", "democrats", "republicans", "liberal",
    "conservative", "socialist", "communist", "labourite", "tory", "tories", "marxist",
    "leninist", "chavista", "chavistas", "peronist", "peronists", "sandinista", "sandinistas",
    "zapatista", "zapatistas", "bolshevik", "nazi", "nazis", "fascist", "olympic",
    "paralympic", "celsius", "fahrenheit", "anglo", "franco", "sino", "afro", "indo", "greco",
    "roman", "romans", "greeks", "turks", "persians", "kurds", "uzbeks", "tajiks", "kyrgyzs",
    "belarusians", "armenians", "georgians", "azerbaijanis", "mongolians", "tibetan",
    "tibetans", "hawaiian", "alaskan", "siberian", "caucasian", "central asian",
    "latin american", "south american", "north american", "central american",
    "middle eastern", "west african", "east african", "mesoamerican", "neotropical",
];

/// Weekdays, months and other calendar words: never entities.
pub const CALENDAR: &[&str] = &[
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue",
    "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "christmas", "easter", "ramadan", "eid", "hanukkah", "diwali", "halloween",
    "thanksgiving", "today", "tonight", "yesterday", "tomorrow", "spring", "summer",
    "autumn", "winter", "am", "pm", "gmt", "utc", "bst", "est", "edt", "pst", "pdt", "cst",
    "cdt", "cet", "ad", "bc", "bce", "ce",
];

/// All-capital words that are not names of organisations or places.
pub const NON_ENTITY_ACRONYMS: &[&str] = &[
    "tv", "gdp", "ceo", "cfo", "coo", "cto", "covid", "hiv", "aids", "dna", "rna", "phd", "ok",
    "id", "vat", "usd", "eur", "gbp", "faq", "pdf", "cctv", "suv", "lgbt", "lgbtq", "lgbtqi",
    "ngo", "ngos", "mp", "mps", "pr", "ai", "hq", "eta", "vip", "iq", "cd", "dvd", "usb", "gps",
    "uk", "ufo", "km", "mph", "kph", "gmo", "lng", "lpg", "co2", "pcr", "icu", "ppe", "sms",
    "url", "www", "html", "faqs", "diy", "rip", "omg", "lol", "wtf", "asap", "aka", "etc",
    "am", "pm", "bc", "ad", "ps", "nb", "ie", "eg", "vs", "jr", "sr", "ii", "iii", "iv", "vi",
    "vii", "viii", "ix", "xi", "xii", "bbq", "diy", "mri", "ct", "er", "ev", "evs", "ipo",
    "ip", "it", "pc", "tb", "gb", "mb", "kb", "hd", "uhd", "led", "lcd", "atm", "pin", "sim",
    "ufc", "mvp", "nft", "nfts", "ceos", "gdps", "rpg", "ied", "ieds", "awol", "pow", "pows",
    "mia", "kia", "kgs", "lbs", "pct", "yoy", "qoq", "bps", "fy", "q1", "q2", "q3", "q4",
    "op", "ed", "oped", "hr", "pm2", "uv", "ac", "dc", "gm", "a", "i", "oh", "ah",
    "covid-19", "sars", "mers", "ebola", "flu", "dui", "bmi", "std", "stds", "adhd", "ptsd",
    "ocd", "rsvp", "ebitda", "roi", "esg", "cop", "pos", "sos", "tba", "tbc", "n/a",
    "ft", "mr", "mrs", "ms", "dr", "st", "no", "re", "fyi", "cv", "ma", "ba", "bsc", "msc",
    "mba", "llm", "gcse", "sat", "gpa", "rt", "dm", "dms", "pt", "ceo's",
];

/// Verbs of attribution right after a name: "Pannier said" makes Pannier a person.
pub const SAID_VERBS: &[&str] = &[
    "said", "says", "told", "added", "stated", "explained", "wrote", "tweeted", "noted",
    "argued", "claimed", "insisted", "warned", "asked", "replied", "recalled", "admitted",
    "acknowledged", "announced", "declared", "urged", "thanked", "criticised", "criticized",
    "believes", "thinks", "wants", "who", "tells", "testified", "responded", "commented",
];

/// Lowercase words before a name that make it a place ("in Almaty", "near Moscow").
pub const PLACE_PREPOSITIONS: &[&str] = &[
    "in", "at", "near", "from", "across", "throughout", "outside", "inside", "around",
    "towards", "toward", "via", "between", "into",
];

/// Lowercase role nouns before a name that make it a person ("journalist Bruce Pannier").
pub const PERSON_ROLES: &[&str] = &[
    "journalist", "spokesman", "spokeswoman", "spokesperson", "minister", "president",
    "leader", "chief", "director", "head", "lawyer", "attorney", "analyst", "expert",
    "professor", "researcher", "scientist", "author", "writer", "reporter", "correspondent",
    "editor", "activist", "candidate", "senator", "governor", "mayor", "lawmaker", "legislator",
    "deputy", "official", "officer", "commander", "general", "colonel", "secretary",
    "ambassador", "envoy", "chairman", "chairwoman", "ceo", "founder", "owner", "manager",
    "coach", "player", "striker", "midfielder", "defender", "goalkeeper", "captain", "actor",
    "actress", "singer", "musician", "artist", "director", "producer", "filmmaker", "poet",
    "novelist", "economist", "historian", "sociologist", "politician", "diplomat", "judge",
    "prosecutor", "doctor", "dr", "nurse", "priest", "bishop", "pastor", "businessman",
    "businesswoman", "entrepreneur", "billionaire", "millionaire", "student", "teacher",
    "farmer", "resident", "witness", "victim", "survivor", "suspect", "defendant", "son",
    "daughter", "wife", "husband", "mother", "father", "brother", "sister", "uncle", "aunt",
    "cousin", "nephew", "niece", "grandson", "granddaughter", "widow", "chef", "dictator",
    "ruler", "strongman", "predecessor", "successor", "rival", "opponent", "ally", "aide",
    "adviser", "advisor", "counsel", "consultant", "photographer", "blogger", "influencer",
    "presenter", "host", "anchor", "commentator", "columnist", "pundit", "spokesperson",
    "vice-president", "premier", "congressman", "congresswoman", "councillor", "councilor",
    "elder", "chief", "champion", "boxer", "cyclist", "runner", "athlete", "tennis",
    "lawmakers", "mp", "pope", "archbishop", "cardinal", "rabbi", "imam", "sheikh", "king",
    "queen", "prince", "princess", "emperor", "empress", "nominee", "contender",
];

/// Function words and pronouns that never start or form a name, even capitalised.
pub const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "this", "that", "these", "those", "he", "she", "it", "they", "we", "i",
    "you", "his", "her", "its", "their", "our", "my", "your", "in", "on", "at", "of", "for",
    "to", "from", "by", "with", "and", "or", "but", "if", "as", "when", "while", "after",
    "before", "since", "until", "during", "about", "against", "among", "between", "under",
    "over", "into", "through", "there", "here", "what", "which", "who", "whom", "whose",
    "where", "why", "how", "all", "some", "any", "no", "not", "yes", "so", "yet", "also",
    "however", "meanwhile", "although", "though", "because", "despite", "according", "other",
    "others", "another", "many", "most", "more", "much", "few", "several", "each", "every",
    "both", "either", "neither", "one", "two", "three", "four", "five", "six", "seven",
    "eight", "nine", "ten", "then",
    "now", "still", "just", "only", "even", "again", "once", "thus", "hence", "therefore",
    "instead", "indeed", "perhaps", "maybe", "well", "mr", "mrs", "ms", "dr", "st", "let",
    "do", "does", "did", "is", "are", "was", "were", "be", "been", "being", "have", "has",
    "had", "will", "would", "can", "could", "should", "may", "might", "must", "shall",
    "photo", "photos", "image", "images", "video", "watch", "read", "related", "source",
    "sources", "file", "advertisement", "click", "share", "follow", "subscribe", "update",
    "updated", "editor", "note", "via", "credit", "copyright", "getty", "reuters/", "ap/",
];

/// Suffixes after a hyphen that make a capitalised word an adjective ("Russia-led").
pub const HYPHEN_ADJ_SUFFIXES: &[&str] = &[
    "led", "backed", "based", "born", "owned", "run", "dominated", "controlled", "funded",
    "bound", "made", "style", "wide", "era", "type", "friendly", "linked", "allied", "aligned",
    "affiliated", "sponsored", "supported", "oriented", "centric", "leaning", "inspired",
    "like", "themed", "related", "specific", "registered", "flagged", "listed", "level",
    "area", "region", "speaking",
];

/// Organisations every international newswire names without a cue word: news agencies,
/// platforms, international bodies and companies known by a bare name. General knowledge,
/// kept short.
pub const KNOWN_ORGS: &[&str] = &[
    "reuters", "afp", "ap", "bloomberg", "xinhua", "tass", "interfax", "efe", "ansa", "dpa",
    "bbc", "cnn", "al jazeera", "euronews", "sputnik", "twitter", "facebook", "instagram",
    "youtube", "google", "apple", "microsoft", "tiktok", "whatsapp", "netflix", "spotify",
    "uber", "airbnb", "tesla", "pfizer", "moderna", "astrazeneca", "sinovac", "biontech",
    "unesco", "unicef", "unhcr", "fifa", "uefa", "concacaf", "conmebol", "nasa", "opec",
    "nato", "interpol", "mercosur", "caricom", "asean", "hezbollah", "hamas", "taliban",
    "al-qaeda", "al qaeda", "isis", "greenpeace", "oxfam", "amnesty", "gazprom", "rosneft",
    "petrobras", "pemex", "walmart", "boeing", "airbus", "samsung", "huawei", "alibaba",
    "meta", "linkedin", "wikipedia", "wikileaks", "telemundo", "univision", "televisa",
    "kremlin", "pentagon", "frontex", "eurostat", "unasur", "celac", "cepal", "eclac",
    "odebrecht", "chevron", "exxonmobil", "shell", "repsol", "vale", "glencore", "bhp",
    "rio tinto", "qantas", "latam", "avianca", "copa airlines", "aeromexico", "iberia",
];
