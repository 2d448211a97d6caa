import Foundation

// The vocabulary the demo data is made of. All names are invented for Rapport; company names are
// built from fantasy stems or common surnames so that none of them is meant to be a real company.
// The vendor itself is "Nordlicht Software GmbH" (see the server's seeder), so no customer uses
// that stem.

/// The language a company presents itself in: decides its name, legal form, job titles and the
/// language CSMs write churn reasons in.
enum DemoStyle: Sendable { case german, english, french }

struct DemoCity: Sendable {
    let name: String
    /// The `region` attribute, in the vendor's (German) vocabulary.
    let region: String
    /// National area code without the trunk 0.
    let area: String
}

struct DemoPeople: Sendable {
    let female: [String]
    let male: [String]
    let last: [String]
}

/// A German role name in its masculine and feminine form; English roles use the same text twice.
struct DemoRole: Sendable {
    let male: String
    let female: String
    init(_ both: String) { male = both; female = both }
    init(_ male: String, _ female: String) { self.male = male; self.female = female }
}

struct DemoIndustry: Sendable {
    let name: String
    let weight: Double
    /// Words that follow the stem in a company name, per style.
    let german: [String]
    let english: [String]
    let french: [String]
    var isPublic: Bool { name == "Öffentlicher Sektor" }
}

/// A product with the ARR range (major units of the contract currency) of one contract.
struct DemoProduct: Sendable {
    let name: String
    let arr: ClosedRange<Int64>
    /// Term lengths in months the product is sold with.
    let terms: [Int]
}

enum DemoNames {
    static let industries: [DemoIndustry] = [
        DemoIndustry(name: "Versicherung", weight: 1.0,
                     german: ["Versicherung", "Versicherungen", "Assekuranz"],
                     english: ["Insurance", "Assurance", "Underwriting"], french: ["Assurances", "Prévoyance"]),
        DemoIndustry(name: "Maschinenbau", weight: 1.3,
                     german: ["Maschinenbau", "Anlagenbau", "Präzisionstechnik", "Antriebstechnik"],
                     english: ["Engineering", "Machinery", "Industrial"], french: ["Mécanique", "Industries"]),
        DemoIndustry(name: "Handel", weight: 1.2,
                     german: ["Handel", "Handelshaus", "Großhandel", "Warenhaus"],
                     english: ["Retail", "Trading", "Wholesale"], french: ["Commerce", "Distribution"]),
        DemoIndustry(name: "Software", weight: 1.3,
                     german: ["Software", "Systeme", "IT-Services", "Digital"],
                     english: ["Software", "Analytics", "Systems", "Digital"], french: ["Logiciels", "Informatique", "Numérique"]),
        DemoIndustry(name: "Gesundheitswesen", weight: 1.0,
                     german: ["Klinikverbund", "Medizintechnik", "Pflegedienste", "Gesundheitszentrum"],
                     english: ["Health", "Medical", "Care"], french: ["Santé", "Médical"]),
        DemoIndustry(name: "Energie", weight: 1.0,
                     german: ["Energie", "Energieversorgung", "Solarwerke", "Netze"],
                     english: ["Energy", "Power", "Renewables"], french: ["Énergie", "Électricité"]),
        DemoIndustry(name: "Logistik", weight: 1.1,
                     german: ["Logistik", "Spedition", "Transporte", "Lagerlogistik"],
                     english: ["Logistics", "Freight", "Shipping"], french: ["Transports", "Logistique"]),
        DemoIndustry(name: "Banking", weight: 0.8,
                     german: ["Bank", "Privatbank", "Kreditbank", "Vermögensverwaltung"],
                     english: ["Bank", "Capital", "Financial"], french: ["Banque", "Finance"]),
        DemoIndustry(name: "Telekommunikation", weight: 0.8,
                     german: ["Telekom", "Netzwerke", "Kommunikation", "Glasfaser"],
                     english: ["Telecom", "Networks", "Communications"], french: ["Télécom", "Réseaux"]),
        // Public bodies are named "<kind of body> <place>", so these are prefixes, not suffixes.
        DemoIndustry(name: "Öffentlicher Sektor", weight: 0.6,
                     german: ["Zweckverband", "Kommunale Datenverarbeitung", "Verkehrsverbund", "Wasserverband"],
                     english: [], french: ["Services industriels", "Association intercommunale"]),
        DemoIndustry(name: "Automobil", weight: 0.9,
                     german: ["Fahrzeugtechnik", "Automobile", "Autohaus", "Fahrzeugbau"],
                     english: ["Motors", "Automotive", "Mobility"], french: ["Automobiles", "Mobilité"]),
        DemoIndustry(name: "Medien", weight: 0.8,
                     german: ["Medien", "Verlag", "Verlagsgruppe", "Mediengruppe"],
                     english: ["Media", "Publishing", "Studios"], french: ["Médias", "Éditions"]),
    ]

    static let germanStems = [
        "Alpenblick", "Bergkristall", "Rheinauen", "Isarwerk", "Donaublick", "Tannenhof", "Lindenhof",
        "Eichenwald", "Sonnenberg", "Falkenstein", "Weißdorn", "Edelweiß", "Elbufer", "Hansekontor",
        "Adlerhorst", "Greifenstein", "Silberfels", "Morgenrot", "Kupferberg", "Sternenhof", "Wolkenweit",
        "Fichtelgrund", "Talblick", "Birkenhain", "Lärchenwald", "Seeblick", "Mühlbach", "Steinbrück",
        "Rosenau", "Wiesengrund", "Heidekraut", "Brunnenhof", "Quellgrund", "Weidenau", "Ostwind",
        "Westwerk", "Südstern", "Nordhafen", "Bernstein", "Kieselgrund", "Auental", "Hochfeld", "Fuchsbau",
        "Hirschgrund", "Eulenhof", "Lerchenfeld", "Schwanenau", "Biberbach", "Dachsberg", "Wildbach", "Blauquelle",
        "Rotbuche", "Weißtanne", "Kornblume", "Ginsterheide", "Mohnfeld", "Distelgrund", "Efeuhaus", "Morgentau",
        "Abendrot", "Sturmvogel",
    ]
    /// Stems that read as places, for public bodies ("Zweckverband Rosenau", not "... Kornblume").
    static let germanPlaceStems = [
        "Rheinauen", "Sonnenberg", "Falkenstein", "Birkenhain", "Mühlbach", "Rosenau", "Wiesengrund", "Quellgrund",
        "Weidenau", "Auental", "Hochfeld", "Hirschgrund", "Lerchenfeld", "Schwanenau", "Biberbach", "Dachsberg",
        "Wildbach", "Kieselgrund", "Fichtelgrund", "Steinbrück", "Greifenstein", "Kupferberg", "Talblick",
    ]
    static let englishStems = [
        "Bluebird", "Silverline", "Harbourview", "Redwood", "Brightwater", "Oakridge", "Ironbridge",
        "Clearpath", "Summitview", "Meridian", "Lighthouse", "Kestrel", "Ashford", "Pinecrest", "Stonegate",
        "Riverbend", "Copperleaf", "Westbrook", "Fairhaven", "Highgate", "Evergreen", "Bluestone",
        "Northgate", "Silverbirch", "Foxglove", "Greenfield", "Tidewater", "Lakeshore", "Kingsbridge",
        "Starling", "Hawthorn", "Larkspur", "Wrenfield", "Cobalt Bay", "Eastwind", "Marlow", "Thistle",
        "Ravenscroft", "Oakfield", "Silverstream", "Bramble", "Windmere", "Brackenridge", "Saltmarsh", "Moorland",
        "Emberly",
    ]
    static let frenchStems = [
        "Léman", "Lavaux", "Salève", "Chasseral", "Belle-Rive", "Clairval", "Beaulieu", "Montchoisi",
        "Grand-Pré", "Rive-Bleue", "Bois-Joli", "Roche-Claire", "Val-d'Arve", "Mont-Soleil", "Haute-Rive",
        "Champ-Fleuri", "Bel-Horizon", "Pré-Vert",
    ]

    // MARK: People

    static let germanPeople = DemoPeople(
        female: ["Anna", "Julia", "Laura", "Lena", "Sarah", "Lisa", "Katharina", "Johanna", "Sophie", "Marie",
                 "Hannah", "Leonie", "Christina", "Sabine", "Petra", "Claudia", "Andrea", "Susanne", "Nicole",
                 "Stefanie", "Melanie", "Birgit", "Monika", "Kerstin", "Anja", "Jana", "Miriam", "Carina",
                 "Franziska", "Theresa", "Verena", "Elisabeth", "Ursula", "Heike", "Tanja", "Nadine", "Bettina",
                 "Simone", "Daniela", "Jasmin", "Lea", "Charlotte", "Greta", "Maren", "Ines", "Renate", "Silke",
                 "Annika", "Vanessa", "Jördis", "Bärbel"],
        male: ["Thomas", "Michael", "Andreas", "Stefan", "Christian", "Markus", "Alexander", "Daniel", "Martin",
               "Sebastian", "Tobias", "Jan", "Florian", "Matthias", "Jürgen", "Klaus", "Wolfgang", "Frank", "Uwe",
               "Jörg", "Lukas", "Felix", "Jonas", "Maximilian", "Paul", "Simon", "Philipp", "Benedikt", "Dominik",
               "Patrick", "Johannes", "Ralf", "Bernd", "Dirk", "Holger", "Torsten", "Sven", "Oliver", "Moritz",
               "Niklas", "Fabian", "David", "Marco", "Peter", "Georg", "Manfred", "Rainer", "Karl", "Erik", "Björn"],
        last: ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
               "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz",
               "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz",
               "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter",
               "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn",
               "Schubert", "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck",
               "Lorenz", "Baumann", "Franke", "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus",
               "Schumacher", "Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß", "Seidel", "Heinrich",
               "Brandt", "Haas", "Schreiber", "Graf", "Schulte", "Dietrich", "Ziegler", "Kuhn", "Kühn", "Pohl",
               "Engel", "Horn", "Busch", "Bergmann", "Voigt", "Sauer", "Arnold", "Wolff", "Pfeiffer", "Oßwald"])

    /// Surnames more common in Austria; mixed into the German list for AT accounts.
    static let austrianLast = [
        "Gruber", "Huber", "Pichler", "Steiner", "Moser", "Hofer", "Leitner", "Eder", "Reiter", "Mayr",
        "Wimmer", "Egger", "Brunner", "Baumgartner", "Auer", "Binder", "Lechner", "Wallner", "Aigner", "Ebner",
        "Koller", "Lehner", "Haider", "Fuchsbichler", "Pöschl", "Strasser", "Windisch",
    ]
    static let austrianFirst = (female: ["Magdalena", "Valentina", "Barbara", "Theresia", "Katrin"],
                                male: ["Lorenz", "Valentin", "Leopold", "Florian", "Gregor"])
    static let swissLast = [
        "Keller", "Gerber", "Brunner", "Frei", "Widmer", "Wyss", "Suter", "Bachmann", "Studer", "Bühler",
        "Kälin", "Sutter", "Hess", "Lüthi", "Marti", "Bösch", "Zürcher", "Ammann", "Tanner", "Schürch",
        "Fankhauser", "Burri",
    ]
    static let swissFirst = (female: ["Regula", "Corinne", "Nadja", "Rahel", "Seraina", "Fränzi"],
                             male: ["Urs", "Beat", "Reto", "Andrin", "Jürg", "Mathias"])

    static let frenchPeople = DemoPeople(
        female: ["Camille", "Julie", "Léa", "Manon", "Chloé", "Sophie", "Émilie", "Claire", "Céline", "Nathalie",
                 "Isabelle", "Aurélie", "Élodie", "Mathilde", "Margaux", "Sandrine", "Valérie", "Anne", "Océane", "Inès"],
        male: ["Nicolas", "Julien", "Thomas", "Pierre", "Antoine", "Mathieu", "Olivier", "Laurent", "Sébastien",
               "Alexandre", "Guillaume", "Jérôme", "François", "Étienne", "Luc", "Yves", "Christophe", "Benoît",
               "Hugo", "Lucas"],
        last: ["Favre", "Rochat", "Bonvin", "Perret", "Berset", "Dubois", "Morel", "Girard", "Bovet", "Jaquet",
               "Rey", "Fontaine", "Bernard", "Martin", "Moreau", "Laurent", "Lefèvre", "Roux", "Fournier", "Mercier",
               "Blanc", "Chevalier", "Gauthier", "Perrin", "Robert", "Richard", "Petit", "Durand", "Leroy",
               "Lambert", "Bonnet", "Clément", "Guérin", "Masson", "Crausaz", "Pittet"])

    static let englishPeople = DemoPeople(
        female: ["Emma", "Olivia", "Sophie", "Charlotte", "Emily", "Grace", "Hannah", "Jessica", "Lucy", "Amelia",
                 "Chloe", "Rachel", "Laura", "Sarah", "Rebecca", "Katherine", "Megan", "Jennifer", "Ashley",
                 "Lauren", "Natalie", "Victoria", "Eleanor", "Abigail", "Madison", "Claire", "Fiona", "Helen"],
        male: ["James", "Oliver", "Jack", "Harry", "George", "William", "Thomas", "Daniel", "Matthew", "Michael",
               "David", "Andrew", "Christopher", "Benjamin", "Samuel", "Joseph", "Ryan", "Jacob", "Ethan",
               "Nathan", "Adam", "Robert", "Richard", "Mark", "Paul", "Stephen", "Kevin", "Brian", "Jason", "Tyler"],
        last: ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Anderson",
               "Thomas", "Moore", "Jackson", "White", "Harris", "Martin", "Thompson", "Clark", "Lewis", "Walker",
               "Hall", "Allen", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill",
               "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins",
               "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Reed", "Bailey",
               "Bell", "Kelly", "Howard", "Ward", "Cox", "Richardson", "Wood", "Watson", "Brooks", "Bennett",
               "Gray", "Hughes", "Price", "Patel", "Khan", "O'Brien", "Murray", "Fraser", "Kennedy", "Sullivan"])

    static let dutchPeople = DemoPeople(
        female: ["Sanne", "Lotte", "Femke", "Anouk", "Eva", "Fleur", "Iris", "Marloes", "Esther", "Noor"],
        male: ["Daan", "Bram", "Jeroen", "Thijs", "Ruben", "Sander", "Joost", "Pieter", "Wouter", "Niels"],
        last: ["de Vries", "Jansen", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
               "de Jong", "Bos", "Vos", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra",
               "Smits", "van den Berg", "Kok", "Jacobs", "Vermeulen"])

    // MARK: Places

    static let cities: [String: [DemoCity]] = [
        "DE": [
            DemoCity(name: "Berlin", region: "Ost", area: "30"), DemoCity(name: "Hamburg", region: "Nord", area: "40"),
            DemoCity(name: "München", region: "Süd", area: "89"), DemoCity(name: "Köln", region: "West", area: "221"),
            DemoCity(name: "Frankfurt am Main", region: "Mitte", area: "69"), DemoCity(name: "Stuttgart", region: "Süd", area: "711"),
            DemoCity(name: "Düsseldorf", region: "West", area: "211"), DemoCity(name: "Leipzig", region: "Ost", area: "341"),
            DemoCity(name: "Dresden", region: "Ost", area: "351"), DemoCity(name: "Hannover", region: "Nord", area: "511"),
            DemoCity(name: "Nürnberg", region: "Süd", area: "911"), DemoCity(name: "Bremen", region: "Nord", area: "421"),
            DemoCity(name: "Essen", region: "West", area: "201"), DemoCity(name: "Dortmund", region: "West", area: "231"),
            DemoCity(name: "Freiburg im Breisgau", region: "Süd", area: "761"), DemoCity(name: "Mannheim", region: "Süd", area: "621"),
            DemoCity(name: "Kassel", region: "Mitte", area: "561"), DemoCity(name: "Erfurt", region: "Mitte", area: "361"),
            DemoCity(name: "Rostock", region: "Nord", area: "381"), DemoCity(name: "Augsburg", region: "Süd", area: "821"),
            DemoCity(name: "Regensburg", region: "Süd", area: "941"), DemoCity(name: "Münster", region: "West", area: "251"),
            DemoCity(name: "Bielefeld", region: "West", area: "521"), DemoCity(name: "Kiel", region: "Nord", area: "431"),
        ],
        "AT": [
            DemoCity(name: "Wien", region: "Ost", area: "1"), DemoCity(name: "Graz", region: "Süd", area: "316"),
            DemoCity(name: "Linz", region: "Nord", area: "732"), DemoCity(name: "Salzburg", region: "West", area: "662"),
            DemoCity(name: "Innsbruck", region: "West", area: "512"), DemoCity(name: "Klagenfurt", region: "Süd", area: "463"),
            DemoCity(name: "St. Pölten", region: "Ost", area: "2742"), DemoCity(name: "Bregenz", region: "West", area: "5574"),
        ],
        "CH": [
            DemoCity(name: "Zürich", region: "Deutschschweiz", area: "44"), DemoCity(name: "Bern", region: "Deutschschweiz", area: "31"),
            DemoCity(name: "Basel", region: "Deutschschweiz", area: "61"), DemoCity(name: "Luzern", region: "Deutschschweiz", area: "41"),
            DemoCity(name: "St. Gallen", region: "Deutschschweiz", area: "71"), DemoCity(name: "Winterthur", region: "Deutschschweiz", area: "52"),
            DemoCity(name: "Zug", region: "Deutschschweiz", area: "41"),
        ],
        "CH-fr": [
            DemoCity(name: "Genève", region: "Romandie", area: "22"), DemoCity(name: "Lausanne", region: "Romandie", area: "21"),
            DemoCity(name: "Neuchâtel", region: "Romandie", area: "32"), DemoCity(name: "Fribourg", region: "Romandie", area: "26"),
            DemoCity(name: "Sion", region: "Romandie", area: "27"),
        ],
        // UK area codes are those Ofcom keeps free for drama, so a demo number can never ring anyone.
        "GB": [
            DemoCity(name: "London", region: "UK", area: "20 7946 0"), DemoCity(name: "Manchester", region: "UK", area: "161 496 0"),
            DemoCity(name: "Leeds", region: "UK", area: "113 496 0"), DemoCity(name: "Bristol", region: "UK", area: "117 496 0"),
            DemoCity(name: "Edinburgh", region: "UK", area: "131 496 0"), DemoCity(name: "Birmingham", region: "UK", area: "121 496 0"),
        ],
        "US": [
            DemoCity(name: "New York", region: "Nordamerika", area: "212"), DemoCity(name: "San Francisco", region: "Nordamerika", area: "415"),
            DemoCity(name: "Chicago", region: "Nordamerika", area: "312"), DemoCity(name: "Boston", region: "Nordamerika", area: "617"),
            DemoCity(name: "Seattle", region: "Nordamerika", area: "206"), DemoCity(name: "Austin", region: "Nordamerika", area: "512"),
        ],
        "NL": [
            DemoCity(name: "Amsterdam", region: "Benelux", area: "20"), DemoCity(name: "Rotterdam", region: "Benelux", area: "10"),
            DemoCity(name: "Utrecht", region: "Benelux", area: "30"), DemoCity(name: "Eindhoven", region: "Benelux", area: "40"),
            DemoCity(name: "Den Haag", region: "Benelux", area: "70"),
        ],
        "FR": [
            DemoCity(name: "Paris", region: "Frankreich", area: "1"), DemoCity(name: "Lyon", region: "Frankreich", area: "4"),
            DemoCity(name: "Nantes", region: "Frankreich", area: "2"), DemoCity(name: "Bordeaux", region: "Frankreich", area: "5"),
            DemoCity(name: "Toulouse", region: "Frankreich", area: "5"),
        ],
    ]

    static let currencies = ["CH": "CHF", "GB": "GBP", "US": "USD"]

    /// Free-mail style domains for households; reserved TLD so a demo address never reaches anyone.
    static let householdDomains = ["mail.example", "post.example", "inbox.example", "web-mail.example"]
    /// Implementation partners whose consultants appear as vendor-side contacts.
    static let partnerDomains = ["brueckenwerk-consulting.example", "implementa-partner.example", "kundenpfad-beratung.example"]

    // MARK: Roles

    static let germanLeadSmall = [DemoRole("Geschäftsführer", "Geschäftsführerin"), DemoRole("Inhaber", "Inhaberin")]
    static let germanLeadLarge = [
        DemoRole("Leiter Kundenservice", "Leiterin Kundenservice"), DemoRole("Head of Customer Service"),
        DemoRole("Bereichsleiter Customer Experience", "Bereichsleiterin Customer Experience"),
        DemoRole("Director Customer Success"),
    ]
    static let germanRoles = [
        DemoRole("Geschäftsführer", "Geschäftsführerin"), DemoRole("CFO"), DemoRole("CTO"),
        DemoRole("IT-Leiter", "IT-Leiterin"), DemoRole("Einkauf"), DemoRole("Einkaufsleiter", "Einkaufsleiterin"),
        DemoRole("Teamleiter Kundenservice", "Teamleiterin Kundenservice"), DemoRole("Projektleiter", "Projektleiterin"),
        DemoRole("Sachbearbeiter Buchhaltung", "Sachbearbeiterin Buchhaltung"),
        DemoRole("Datenschutzbeauftragter", "Datenschutzbeauftragte"), DemoRole("Marketingleiter", "Marketingleiterin"),
        DemoRole("Vertriebsleiter", "Vertriebsleiterin"), DemoRole("Key User"), DemoRole("Assistenz der Geschäftsführung"),
        DemoRole("Prokurist", "Prokuristin"), DemoRole("Leiter Operations", "Leiterin Operations"),
        DemoRole("Qualitätsmanager", "Qualitätsmanagerin"), DemoRole("Systemadministrator", "Systemadministratorin"),
        DemoRole("Controller", "Controllerin"), DemoRole("Head of Customer Service"),
    ]
    /// Public bodies have no owners or sales managers.
    static let germanPublicLead = [
        DemoRole("Amtsleiter", "Amtsleiterin"), DemoRole("Leiter Bürgerservice", "Leiterin Bürgerservice"),
        DemoRole("Verbandsgeschäftsführer", "Verbandsgeschäftsführerin"),
    ]
    static let germanPublicRoles = [
        DemoRole("IT-Leiter", "IT-Leiterin"), DemoRole("Sachbearbeiter Bürgerservice", "Sachbearbeiterin Bürgerservice"),
        DemoRole("Referent Digitalisierung", "Referentin Digitalisierung"), DemoRole("Datenschutzbeauftragter", "Datenschutzbeauftragte"),
        DemoRole("Projektleiter", "Projektleiterin"), DemoRole("Vergabestelle"), DemoRole("Key User"),
        DemoRole("Teamleiter Kundenservice", "Teamleiterin Kundenservice"), DemoRole("Kämmerer", "Kämmerin"),
    ]
    static let frenchPublicLead = [DemoRole("Directeur des services", "Directrice des services"), DemoRole("Responsable service client")]
    static let frenchPublicRoles = [
        DemoRole("Responsable informatique"), DemoRole("Chef de projet", "Cheffe de projet"),
        DemoRole("Délégué à la protection des données", "Déléguée à la protection des données"), DemoRole("Utilisateur clé", "Utilisatrice clé"),
        DemoRole("Responsable des achats"),
    ]
    static let englishLeadSmall = [DemoRole("CEO"), DemoRole("Founder"), DemoRole("Managing Director")]
    static let englishLeadLarge = [DemoRole("Head of Customer Service"), DemoRole("VP Customer Success"), DemoRole("Director of Customer Experience")]
    static let englishRoles = [
        DemoRole("CFO"), DemoRole("CTO"), DemoRole("IT Manager"), DemoRole("Procurement Manager"),
        DemoRole("Operations Director"), DemoRole("Project Manager"), DemoRole("Finance Controller"),
        DemoRole("Data Protection Officer"), DemoRole("Office Manager"), DemoRole("Customer Service Team Lead"),
        DemoRole("Head of Marketing"), DemoRole("Sales Director"), DemoRole("Key User"), DemoRole("Systems Administrator"),
    ]
    static let frenchLeadSmall = [DemoRole("Directeur général", "Directrice générale"), DemoRole("Gérant", "Gérante")]
    static let frenchLeadLarge = [DemoRole("Responsable service client"), DemoRole("Directeur expérience client", "Directrice expérience client")]
    static let frenchRoles = [
        DemoRole("Directeur financier", "Directrice financière"), DemoRole("Responsable informatique"),
        DemoRole("Responsable des achats"), DemoRole("Chef de projet", "Cheffe de projet"),
        DemoRole("Contrôleur de gestion", "Contrôleuse de gestion"),
        DemoRole("Délégué à la protection des données", "Déléguée à la protection des données"),
        DemoRole("Responsable marketing"), DemoRole("Assistant de direction", "Assistante de direction"),
        DemoRole("Utilisateur clé", "Utilisatrice clé"),
    ]
    static let germanVendorRoles = [
        DemoRole("Implementierungsberater", "Implementierungsberaterin"), DemoRole("Customer Success Manager"),
        DemoRole("Solution Architect"), DemoRole("Partnermanager", "Partnermanagerin"),
    ]
    static let englishVendorRoles = [
        DemoRole("Implementation Consultant"), DemoRole("Customer Success Manager"), DemoRole("Solution Architect"),
        DemoRole("Partner Manager"),
    ]
    static let frenchVendorRoles = [
        DemoRole("Consultant en implémentation", "Consultante en implémentation"), DemoRole("Customer Success Manager"),
        DemoRole("Solution Architect"),
    ]

    // MARK: Products

    static let enterpriseMain = DemoProduct(name: "Rapport Enterprise", arr: 100_000...500_000, terms: [12, 24, 36])
    static let midMarketMain = DemoProduct(name: "Rapport Cloud Professional", arr: 15_000...60_000, terms: [12, 24, 36])
    static let smbProfessional = DemoProduct(name: "Rapport Cloud Professional", arr: 3_000...12_000, terms: [12, 24])
    static let smbStarter = DemoProduct(name: "Rapport Cloud Starter", arr: 1_000...5_000, terms: [12, 24])
    /// What an SMB customer ran before upgrading to Professional; ends when the main contract starts.
    static let legacyStarter = DemoProduct(name: "Rapport Cloud Starter", arr: 1_000...4_000, terms: [12])

    /// Add-ons per segment with the chance that an account has them.
    static let addOns: [String: [(DemoProduct, Double)]] = [
        "Enterprise": [
            (DemoProduct(name: "Premium Support", arr: 50_000...120_000, terms: [12, 24, 36]), 0.75),
            (DemoProduct(name: "Rapport Insights Add-on", arr: 50_000...150_000, terms: [12, 24, 36]), 0.45),
            (DemoProduct(name: "Onboarding Services", arr: 50_000...180_000, terms: [6, 12]), 0.35),
        ],
        "Mid-Market": [
            (DemoProduct(name: "Premium Support", arr: 10_000...18_000, terms: [12, 24]), 0.35),
            (DemoProduct(name: "Rapport Insights Add-on", arr: 10_000...25_000, terms: [12, 24]), 0.15),
            (DemoProduct(name: "Onboarding Services", arr: 10_000...30_000, terms: [6, 12]), 0.15),
        ],
        "SMB": [
            (DemoProduct(name: "Premium Support", arr: 1_000...3_000, terms: [12]), 0.08),
        ],
    ]
    static let servicesProduct = "Onboarding Services"

    /// Products of households. The number in an energy tariff is its term in months.
    static let householdProductsGerman = [
        DemoProduct(name: "Hausrat Komfort", arr: 200...600, terms: [12, 36]),
        DemoProduct(name: "Kfz Basis", arr: 350...1_400, terms: [12]),
        DemoProduct(name: "Strom Öko 12", arr: 600...2_500, terms: [12]),
        DemoProduct(name: "Haftpflicht Plus", arr: 200...320, terms: [12, 36]),
        DemoProduct(name: "Gas Fix 24", arr: 800...2_500, terms: [24]),
        DemoProduct(name: "Rechtsschutz Familie", arr: 250...550, terms: [12, 36]),
        DemoProduct(name: "Wohngebäude Premium", arr: 400...1_800, terms: [12, 36]),
    ]
    static let householdProductsEnglish = [
        DemoProduct(name: "Home Contents Plus", arr: 200...600, terms: [12]),
        DemoProduct(name: "Motor Basic", arr: 350...1_400, terms: [12]),
        DemoProduct(name: "Green Power 12", arr: 600...2_500, terms: [12]),
        DemoProduct(name: "Liability Plus", arr: 200...320, terms: [12]),
        DemoProduct(name: "Gas Fixed 24", arr: 800...2_500, terms: [24]),
        DemoProduct(name: "Legal Cover Family", arr: 250...550, terms: [12, 24]),
    ]

    // MARK: Reasons

    static let churnReasons: [DemoStyle: [String]] = [
        .german: ["Budgetkürzung", "Wechsel zum Wettbewerber", "Produkt passt nicht mehr", "Insolvenz",
                  "Übernahme durch anderes Unternehmen", "Interne Eigenentwicklung", "Unzufriedenheit mit dem Support",
                  "Projekt eingestellt"],
        .english: ["Budget cut", "Switched to a competitor", "Product no longer fits", "Insolvency",
                   "Acquired by another company", "Built an in-house solution", "Unhappy with support"],
        .french: ["Réduction budgétaire", "Passage à un concurrent", "Le produit ne convient plus", "Faillite",
                  "Rachat par une autre entreprise"],
    ]
    static let householdChurnReasons: [DemoStyle: [String]] = [
        .german: ["Umzug ins Ausland", "Günstigeres Angebot gefunden", "Preiserhöhung", "Fahrzeug verkauft", "Unzufrieden mit der Schadenregulierung"],
        .english: ["Moved abroad", "Found a cheaper offer", "Price increase", "Sold the car"],
        .french: ["Déménagement à l'étranger", "Offre moins chère trouvée", "Hausse de prix"],
    ]
    static let mergedReason: [DemoStyle: String] = [
        .german: "In Muttergesellschaft aufgegangen", .english: "Merged into parent company", .french: "Intégrée à la société mère",
    ]
    static let contractionReasons: [DemoStyle: [String]] = [
        .german: ["Weniger Nutzer", "Budgetkürzung", "Standortschließung", "Umstellung auf kleineres Paket"],
        .english: ["Fewer users", "Budget cut", "Site closure", "Downgraded to a smaller plan"],
        .french: ["Moins d'utilisateurs", "Réduction budgétaire", "Fermeture d'un site"],
    ]
    static let householdContractionReasons: [DemoStyle: [String]] = [
        .german: ["Selbstbeteiligung erhöht", "Tarif gewechselt", "Zweitwagen abgemeldet"],
        .english: ["Higher excess chosen", "Changed tariff"],
        .french: ["Franchise augmentée", "Changement de tarif"],
    ]
    static let expansionReasons: [DemoStyle: [String]] = [
        .german: ["Zusätzliche Nutzer", "Neuer Standort", "Weitere Abteilung", "Mehr Befragungen"],
        .english: ["Additional users", "New site", "Another department"],
        .french: ["Utilisateurs supplémentaires", "Nouveau site"],
    ]
    static let householdExpansionReasons: [DemoStyle: [String]] = [
        .german: ["Deckung erhöht", "Tarif-Upgrade"], .english: ["Cover increased", "Tariff upgrade"], .french: ["Couverture augmentée"],
    ]
    static let priceAdjustment: [DemoStyle: String] = [
        .german: "Preisanpassung", .english: "Price adjustment", .french: "Ajustement tarifaire",
    ]
}
