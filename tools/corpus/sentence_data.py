"""Templates and word lists for tools/corpus/make_sentences.py (written for dq-whisper).

Slot syntax: {list} a word from a list; {list.form} a named form of it (case, article, agreement); {list2} a
second, different word from the same list; {N:list} a number followed by the noun in the form the number needs;
{hour}, {year}, {price}, ... a number from make_sentences.NUMBERS (or the language's own "numbers" ranges).
A slot name used twice in one template means the same word both times.
"""

DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

EN = {
    "code": "en", "name": "English",
    "vocab": {
        "name_m": ["James", "Peter", "Daniel", "Thomas", "Michael", "David", "Robert", "Steven", "George", "Henry"],
        "name_f": ["Anna", "Mary", "Laura", "Emma", "Sarah", "Julia", "Helen", "Kate", "Lucy", "Rachel"],
        "city": ["London", "Paris", "Berlin", "Madrid", "Rome", "Vienna", "Dublin", "Chicago", "Toronto", "Sydney",
                 "Boston", "Lisbon"],
        "day": DAYS_EN,
        "obj": ["apples", "books", "eggs", "oranges", "tickets", "chairs", "bottles of water", "pencils", "postcards",
                "tomatoes", "candles"],
        "place": ["station", "library", "museum", "bank", "hospital", "post office", "school", "bakery", "pharmacy",
                  "cinema"],
        "hotdrink": ["tea", "coffee", "hot milk", "hot chocolate"],
        "drink": ["tea", "coffee", "milk", "orange juice", "water", "lemonade"],
        "food": ["bread", "cheese", "rice", "soup", "fish", "chicken", "pasta", "salad"],
        "weather": ["sunny", "cold", "warm", "rainy", "windy", "cloudy"],
        "color": ["red", "blue", "green", "white", "black", "yellow", "grey"],
    },
    "templates": [
        "{name_m} bought {N:obj} at the market.",
        "{name_f} bought {N:obj} for the party.",
        "The train to {city} leaves at {hour} o'clock.",
        "We will meet on {day} in front of the {place}.",
        "The {place} is closed on {day}.",
        "The room costs {price} euros per night.",
        "{name_f} was born in {city} in {year}.",
        "{name_m} moved to {city} in {year}.",
        "Please call me back in {minutes} minutes.",
        "It is {temp} degrees in {city} today.",
        "There are {num} students in this class.",
        "Bus number {bus} goes to the {place}.",
        "I would like a cup of {hotdrink}, please.",
        "{name_f} drinks {drink} every morning.",
        "The weather in {city} is {weather} today.",
        "My {color} bicycle is in front of the {place}.",
        "Can you tell me the way to the {place}?",
        "{name_m} and {name_f} play tennis every {day}.",
        "We had {food} and {food2} for dinner.",
        "The meeting starts on {day} at {hour} o'clock.",
        "Our hotel room is number {room}.",
        "This book has {big} pages.",
        "The museum opened in {year}.",
        "I waited {minutes} minutes for the bus.",
        "{name_f} runs {num} kilometres every week.",
    ],
}


def _de_place(nom, dat, zu):
    return {"nom": nom, "cap": nom[0].upper() + nom[1:], "dat": dat, "zu": zu}


DE = {
    "code": "de", "name": "German",
    "vocab": {
        "name_m": ["Lukas", "Jonas", "Felix", "Paul", "Stefan", "Michael", "Thomas", "Jan", "Tobias", "Markus"],
        "name_f": ["Anna", "Laura", "Julia", "Lena", "Sophie", "Katrin", "Sabine", "Maria", "Hannah", "Lea"],
        "city": ["Berlin", "Hamburg", "München", "Köln", "Wien", "Zürich", "Dresden", "Leipzig", "Bremen", "Paris",
                 "Rom", "Prag"],
        "day": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
        "obj": ["Äpfel", "Bücher", "Eier", "Orangen", "Fahrkarten", "Stühle", "Flaschen Wasser", "Bleistifte",
                "Postkarten", "Tomaten", "Brötchen"],
        "place": [_de_place("der Bahnhof", "dem Bahnhof", "zum Bahnhof"),
                  _de_place("die Bibliothek", "der Bibliothek", "zur Bibliothek"),
                  _de_place("das Museum", "dem Museum", "zum Museum"),
                  _de_place("die Bank", "der Bank", "zur Bank"),
                  _de_place("das Krankenhaus", "dem Krankenhaus", "zum Krankenhaus"),
                  _de_place("die Post", "der Post", "zur Post"),
                  _de_place("die Schule", "der Schule", "zur Schule"),
                  _de_place("die Bäckerei", "der Bäckerei", "zur Bäckerei"),
                  _de_place("die Apotheke", "der Apotheke", "zur Apotheke"),
                  _de_place("das Kino", "dem Kino", "zum Kino")],
        "hotdrink": ["Tee", "Kaffee", "heiße Milch", "Kakao"],
        "drink": ["Tee", "Kaffee", "Milch", "Orangensaft", "Wasser", "Limonade"],
        "food": ["Brot", "Käse", "Reis", "Suppe", "Fisch", "Hähnchen", "Nudeln", "Salat"],
        "weather": ["sonnig", "kalt", "warm", "regnerisch", "windig", "bewölkt"],
        "color": ["rotes", "blaues", "grünes", "weißes", "schwarzes", "gelbes", "graues"],
    },
    "templates": [
        "{name_m} hat auf dem Markt {N:obj} gekauft.",
        "{name_f} hat {N:obj} für die Party gekauft.",
        "Der Zug nach {city} fährt um {hour} Uhr ab.",
        "Wir treffen uns am {day} vor {place.dat}.",
        "{place.cap} ist am {day} geschlossen.",
        "Das Zimmer kostet {price} Euro pro Nacht.",
        "{name_f} wurde {year} in {city} geboren.",
        "{name_m} ist {year} nach {city} gezogen.",
        "Bitte ruf mich in {minutes} Minuten zurück.",
        "Heute sind es in {city} {temp} Grad.",
        "In dieser Klasse sind {num} Schüler.",
        "Der Bus {bus} fährt {place.zu}.",
        "Ich hätte gern eine Tasse {hotdrink}.",
        "{name_f} trinkt jeden Morgen {drink}.",
        "Das Wetter in {city} ist heute {weather}.",
        "Mein {color} Fahrrad steht vor {place.dat}.",
        "Wie komme ich {place.zu}?",
        "{name_m} und {name_f} spielen jeden {day} Tennis.",
        "Zum Abendessen gab es {food} und {food2}.",
        "Die Besprechung beginnt am {day} um {hour} Uhr.",
        "Unser Hotelzimmer hat die Nummer {room}.",
        "Das Buch hat {big} Seiten.",
        "Das Museum wurde {year} eröffnet.",
        "Ich habe {minutes} Minuten auf den Bus gewartet.",
        "{name_f} läuft jede Woche {num} Kilometer.",
    ],
}


def _fr_place(article, noun, fem):
    """French place: article 'le'/'la'/"l'"; forms for 'à', 'de', 'devant' and 'est fermé(e)'."""
    if article == "l'":
        the, a, de = "l'" + noun, "à l'" + noun, "de l'" + noun
    elif article == "le":
        the, a, de = "le " + noun, "au " + noun, "du " + noun
    else:
        the, a, de = "la " + noun, "à la " + noun, "de la " + noun
    cap = the[0].upper() + the[1:]
    return {"the": the, "a": a, "de": de, "closed": cap + (" est fermée" if fem else " est fermé")}


FR = {
    "code": "fr", "name": "French",
    "vocab": {
        "name_m": ["Pierre", "Louis", "Julien", "Thomas", "Nicolas", "Antoine", "Hugo", "Marc", "Paul", "Olivier"],
        "name_f": ["Marie", "Camille", "Julie", "Claire", "Sophie", "Léa", "Chloé", "Anne", "Élise", "Manon"],
        "city": ["Paris", "Lyon", "Marseille", "Bordeaux", "Lille", "Nantes", "Genève", "Bruxelles", "Toulouse",
                 "Montréal", "Nice", "Strasbourg"],
        "day": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
        "obj": ["pommes", "livres", "œufs", "oranges", "billets", "chaises", "bouteilles d'eau", "crayons",
                "cartes postales", "tomates", "croissants"],
        "place": [_fr_place("la", "gare", True), _fr_place("la", "bibliothèque", True),
                  _fr_place("le", "musée", False), _fr_place("la", "banque", True),
                  _fr_place("l'", "hôpital", False), _fr_place("la", "poste", True),
                  _fr_place("l'", "école", True), _fr_place("la", "boulangerie", True),
                  _fr_place("la", "pharmacie", True), _fr_place("le", "cinéma", False)],
        "hotdrink": ["thé", "café", "lait chaud", "chocolat chaud", "tisane"],
        "drink": [{"_": "du thé"}, {"_": "du café"}, {"_": "du lait"}, {"_": "du jus d'orange"}, {"_": "de l'eau"},
                  {"_": "de la limonade"}],
        "food": ["du pain", "du fromage", "du riz", "de la soupe", "du poisson", "du poulet", "des pâtes",
                 "de la salade"],
        "weather": ["beau", "froid", "chaud", "doux", "frais", "gris"],
        "color": ["rouge", "bleu", "vert", "blanc", "noir", "jaune", "gris"],
    },
    "templates": [
        "{name_m} a acheté {N:obj} au marché.",
        "{name_f} a acheté {N:obj} pour la fête.",
        "Le train pour {city} part à {hour} heures.",
        "On se retrouve {day} devant {place.the}.",
        "{place.closed} le {day}.",
        "La chambre coûte {price} euros par nuit.",
        "{name_f} est née à {city} en {year}.",
        "{name_m} a déménagé à {city} en {year}.",
        "Rappelle-moi dans {minutes} minutes, s'il te plaît.",
        "Il fait {temp} degrés à {city} aujourd'hui.",
        "Il y a {num} élèves dans cette classe.",
        "Le bus {bus} va {place.a}.",
        "Je voudrais une tasse de {hotdrink}, s'il vous plaît.",
        "{name_f} boit {drink} tous les matins.",
        "Aujourd'hui, il fait {weather} à {city}.",
        "Mon vélo {color} est devant {place.the}.",
        "Pouvez-vous m'indiquer le chemin {place.de}?",
        "{name_m} et {name_f} jouent au tennis tous les {day}s.",
        "Au dîner, nous avons mangé {food} et {food2}.",
        "La réunion commence {day} à {hour} heures.",
        "Notre chambre d'hôtel porte le numéro {room}.",
        "Ce livre a {big} pages.",
        "Le musée a ouvert en {year}.",
        "J'ai attendu le bus pendant {minutes} minutes.",
        "{name_f} court {num} kilomètres chaque semaine.",
    ],
}


def _es_place(noun, fem):
    the = ("la " if fem else "el ") + noun
    return {"a": ("a la " if fem else "al ") + noun, "de": ("de la " if fem else "del ") + noun,
            "closed": the[0].upper() + the[1:] + (" está cerrada" if fem else " está cerrado")}


ES = {
    "code": "es", "name": "Spanish",
    "vocab": {
        "name_m": ["Carlos", "Javier", "Miguel", "Pablo", "Diego", "Andrés", "Luis", "Sergio", "Alberto", "Manuel"],
        "name_f": ["María", "Lucía", "Carmen", "Elena", "Sofía", "Laura", "Isabel", "Marta", "Ana", "Paula"],
        "city": ["Madrid", "Barcelona", "Sevilla", "Valencia", "Bilbao", "Granada", "Málaga", "Lima", "Bogotá",
                 "México", "Buenos Aires", "Santiago"],
        "day": [{"_": d, "pl": p} for d, p in [("lunes", "lunes"), ("martes", "martes"), ("miércoles", "miércoles"),
                                              ("jueves", "jueves"), ("viernes", "viernes"),
                                              ("sábado", "sábados"), ("domingo", "domingos")]],
        "obj": ["manzanas", "libros", "huevos", "naranjas", "billetes", "sillas", "botellas de agua", "lápices",
                "postales", "tomates", "velas"],
        "place": [_es_place("estación", True), _es_place("biblioteca", True), _es_place("museo", False),
                  _es_place("banco", False), _es_place("hospital", False), _es_place("oficina de correos", True),
                  _es_place("escuela", True), _es_place("panadería", True), _es_place("farmacia", True),
                  _es_place("cine", False)],
        "hotdrink": ["té", "café", "leche caliente", "chocolate caliente"],
        "drink": ["té", "café", "leche", "zumo de naranja", "agua", "limonada"],
        "food": ["pan", "queso", "arroz", "sopa", "pescado", "pollo", "pasta", "ensalada"],
        "weather": ["calor", "frío", "sol", "viento", "buen tiempo", "mal tiempo"],
        "color_f": ["roja", "azul", "verde", "blanca", "negra", "amarilla", "gris"],
    },
    "templates": [
        "{name_m} compró {N:obj} en el mercado.",
        "{name_f} compró {N:obj} para la fiesta.",
        "El tren a {city} sale a las {hour}.",
        "Nos vemos el {day} delante {place.de}.",
        "{place.closed} los {day.pl}.",
        "La habitación cuesta {price} euros por noche.",
        "{name_f} nació en {city} en {year}.",
        "{name_m} se mudó a {city} en {year}.",
        "Llámame dentro de {minutes} minutos, por favor.",
        "Hoy hace {temp} grados en {city}.",
        "Hay {num} alumnos en esta clase.",
        "El autobús {bus} va {place.a}.",
        "Quisiera una taza de {hotdrink}, por favor.",
        "{name_f} toma {drink} todas las mañanas.",
        "Hoy hace {weather} en {city}.",
        "Mi bicicleta {color_f} está delante {place.de}.",
        "¿Me puede decir cómo llegar {place.a}?",
        "{name_m} y {name_f} juegan al tenis los {day.pl}.",
        "Para cenar tuvimos {food} y {food2}.",
        "La reunión empieza el {day} a las {hour}.",
        "Nuestra habitación de hotel es la número {room}.",
        "Este libro tiene {big} páginas.",
        "El museo abrió en {year}.",
        "Esperé el autobús durante {minutes} minutos.",
        "{name_f} corre {num} kilómetros cada semana.",
    ],
}


def _it_place(article, noun, fem):
    """Italian place with article 'il'/'la'/"l'"; forms 'a' (alla/al/all'), 'the', 'closed'."""
    the = {"il": "il ", "la": "la ", "l'": "l'"}[article] + noun
    a = {"il": "al ", "la": "alla ", "l'": "all'"}[article] + noun
    return {"the": the, "a": a, "closed": the[0].upper() + the[1:] + (" è chiusa" if fem else " è chiuso")}


IT = {
    "code": "it", "name": "Italian",
    "vocab": {
        "name_m": ["Marco", "Luca", "Giovanni", "Andrea", "Matteo", "Francesco", "Paolo", "Stefano", "Davide",
                   "Roberto"],
        "name_f": ["Giulia", "Francesca", "Chiara", "Sara", "Valentina", "Elena", "Martina", "Anna", "Silvia",
                   "Laura"],
        "city": ["Roma", "Milano", "Napoli", "Torino", "Firenze", "Venezia", "Bologna", "Genova", "Palermo",
                 "Verona", "Parigi", "Vienna"],
        "day": [{"_": d, "every": e} for d, e in [("lunedì", "il lunedì"), ("martedì", "il martedì"),
                                                  ("mercoledì", "il mercoledì"), ("giovedì", "il giovedì"),
                                                  ("venerdì", "il venerdì"), ("sabato", "il sabato"),
                                                  ("domenica", "la domenica")]],
        "obj": ["mele", "libri", "uova", "arance", "biglietti", "sedie", "bottiglie d'acqua", "matite", "cartoline",
                "pomodori", "candele"],
        "place": [_it_place("la", "stazione", True), _it_place("la", "biblioteca", True),
                  _it_place("il", "museo", False), _it_place("la", "banca", True),
                  _it_place("l'", "ospedale", False), _it_place("l'", "ufficio postale", False),
                  _it_place("la", "scuola", True), _it_place("la", "panetteria", True),
                  _it_place("la", "farmacia", True), _it_place("il", "cinema", False)],
        "hotdrink": ["tè", "caffè", "latte caldo", "cioccolata calda"],
        "drink": ["tè", "caffè", "latte", "succo d'arancia", "acqua", "limonata"],
        "food": ["pane", "formaggio", "riso", "zuppa", "pesce", "pollo", "pasta", "insalata"],
        "weather": ["caldo", "freddo", "bel tempo", "brutto tempo", "fresco"],
        "color_f": ["rossa", "blu", "verde", "bianca", "nera", "gialla", "grigia"],
    },
    "templates": [
        "{name_m} ha comprato {N:obj} al mercato.",
        "{name_f} ha comprato {N:obj} per la festa.",
        "Il treno per {city} parte alle {hour}.",
        "Ci vediamo {day} davanti {place.a}.",
        "{place.closed} {day.every}.",
        "La camera costa {price} euro a notte.",
        "{name_f} è nata a {city} nel {year}.",
        "{name_m} si è trasferito a {city} nel {year}.",
        "Richiamami tra {minutes} minuti, per favore.",
        "Oggi a {city} ci sono {temp} gradi.",
        "In questa classe ci sono {num} studenti.",
        "L'autobus {bus} va {place.a}.",
        "Vorrei una tazza di {hotdrink}, per favore.",
        "{name_f} beve {drink} ogni mattina.",
        "Oggi a {city} fa {weather}.",
        "La mia bicicletta {color_f} è davanti {place.a}.",
        "Mi può indicare la strada per {place.the}?",
        "{name_m} e {name_f} giocano a tennis {day.every}.",
        "A cena abbiamo mangiato {food} e {food2}.",
        "La riunione comincia {day} alle {hour}.",
        "La nostra camera d'albergo è la numero {room}.",
        "Questo libro ha {big} pagine.",
        "Il museo è stato aperto nel {year}.",
        "Ho aspettato l'autobus per {minutes} minuti.",
        "{name_f} corre {num} chilometri ogni settimana.",
    ],
}


def _pt_place(noun, fem):
    the = ("a " if fem else "o ") + noun
    return {"the": the, "a": ("à " if fem else "ao ") + noun,
            "closed": the[0].upper() + the[1:] + (" está fechada" if fem else " está fechado")}


PT = {
    "code": "pt", "name": "Portuguese",
    "vocab": {
        "name_m": ["João", "Pedro", "Tiago", "Miguel", "Rui", "Paulo", "Ricardo", "André", "Bruno", "Luís"],
        "name_f": ["Ana", "Maria", "Inês", "Beatriz", "Mariana", "Sofia", "Joana", "Carla", "Rita", "Catarina"],
        "city": ["Lisboa", "Porto", "Coimbra", "Braga", "Faro", "Madrid", "Paris", "Londres", "Luanda",
                 "São Paulo", "Recife", "Salvador"],
        "day": [{"on": o, "every": e} for o, e in [
            ("na segunda-feira", "às segundas-feiras"), ("na terça-feira", "às terças-feiras"),
            ("na quarta-feira", "às quartas-feiras"), ("na quinta-feira", "às quintas-feiras"),
            ("na sexta-feira", "às sextas-feiras"), ("no sábado", "aos sábados"), ("no domingo", "aos domingos")]],
        "obj": ["maçãs", "livros", "ovos", "laranjas", "bilhetes", "cadeiras", "garrafas de água", "lápis",
                "postais", "tomates", "velas"],
        "place": [_pt_place("estação", True), _pt_place("biblioteca", True), _pt_place("museu", False),
                  _pt_place("banco", False), _pt_place("hospital", False), _pt_place("igreja", True),
                  _pt_place("escola", True), _pt_place("padaria", True), _pt_place("farmácia", True),
                  _pt_place("cinema", False)],
        "hotdrink": ["chá", "café", "leite quente", "chocolate quente"],
        "drink": ["chá", "café", "leite", "sumo de laranja", "água", "limonada"],
        "food": ["pão", "queijo", "arroz", "sopa", "peixe", "frango", "massa", "salada"],
        "weather": ["calor", "frio", "sol", "vento", "bom tempo"],
        "color_f": ["vermelha", "azul", "verde", "branca", "preta", "amarela", "cinzenta"],
    },
    "templates": [
        "{name_m} comprou {N:obj} no mercado.",
        "{name_f} comprou {N:obj} para a festa.",
        "O comboio para {city} parte às {hour} horas.",
        "Encontramo-nos {day.on} em frente {place.a}.",
        "{place.closed} {day.every}.",
        "O quarto custa {price} euros por noite.",
        "{name_f} nasceu em {city} em {year}.",
        "{name_m} mudou-se para {city} em {year}.",
        "Liga-me daqui a {minutes} minutos, por favor.",
        "Hoje estão {temp} graus em {city}.",
        "Há {num} alunos nesta turma.",
        "O autocarro {bus} vai para {place.the}.",
        "Queria uma chávena de {hotdrink}, por favor.",
        "{name_f} bebe {drink} todas as manhãs.",
        "Hoje está {weather} em {city}.",
        "A minha bicicleta {color_f} está em frente {place.a}.",
        "Pode dizer-me o caminho para {place.the}?",
        "{name_m} e {name_f} jogam ténis {day.every}.",
        "Ao jantar comemos {food} e {food2}.",
        "A reunião começa {day.on} às {hour} horas.",
        "O nosso quarto de hotel é o número {room}.",
        "Este livro tem {big} páginas.",
        "O museu abriu em {year}.",
        "Esperei pelo autocarro durante {minutes} minutos.",
        "{name_f} corre {num} quilómetros por semana.",
    ],
}


def _el_name(nominative_with_article):
    return {"cap": nominative_with_article, "low": nominative_with_article[0].lower() + nominative_with_article[1:]}


def _el_place(article, noun, closed_adj):
    """Greek place: 'se' is the accusative after σε (στον/στη(ν)/στο), 'closed' a whole predicate."""
    se = {"ο": "στον ", "η": "στη ", "ην": "στην ", "το": "στο "}[article] + noun[1]
    nom = {"ο": "Ο ", "η": "Η ", "ην": "Η ", "το": "Το "}[article] + noun[0]
    return {"se": se, "closed": nom + " είναι " + closed_adj}


def _el_city(nom, se, gia):
    return {"_": nom, "se": se, "gia": gia}


EL = {
    "code": "el", "name": "Greek",
    "vocab": {
        "name_m": [_el_name("Ο " + n) for n in ["Γιώργος", "Νίκος", "Κώστας", "Δημήτρης", "Γιάννης", "Παύλος",
                                              "Αντώνης", "Μιχάλης", "Σταύρος", "Πέτρος"]],
        "name_f": [_el_name("Η " + n) for n in ["Μαρία", "Ελένη", "Σοφία", "Κατερίνα", "Άννα", "Δήμητρα",
                                              "Γεωργία", "Χριστίνα", "Ειρήνη", "Νεφέλη"]],
        "city": [_el_city("Αθήνα", "στην Αθήνα", "την Αθήνα"),
                 _el_city("Θεσσαλονίκη", "στη Θεσσαλονίκη", "τη Θεσσαλονίκη"),
                 _el_city("Πάτρα", "στην Πάτρα", "την Πάτρα"),
                 _el_city("Ηράκλειο", "στο Ηράκλειο", "το Ηράκλειο"),
                 _el_city("Λάρισα", "στη Λάρισα", "τη Λάρισα"),
                 _el_city("Βόλος", "στον Βόλο", "τον Βόλο"),
                 _el_city("Ιωάννινα", "στα Ιωάννινα", "τα Ιωάννινα"),
                 _el_city("Κέρκυρα", "στην Κέρκυρα", "την Κέρκυρα"),
                 _el_city("Λονδίνο", "στο Λονδίνο", "το Λονδίνο"),
                 _el_city("Παρίσι", "στο Παρίσι", "το Παρίσι"),
                 _el_city("Ρώμη", "στη Ρώμη", "τη Ρώμη"),
                 _el_city("Βερολίνο", "στο Βερολίνο", "το Βερολίνο")],
        "day": [{"_": d, "on": o} for d, o in [("Δευτέρα", "τη Δευτέρα"), ("Τρίτη", "την Τρίτη"),
                                              ("Τετάρτη", "την Τετάρτη"), ("Πέμπτη", "την Πέμπτη"),
                                              ("Παρασκευή", "την Παρασκευή"), ("Σάββατο", "το Σάββατο"),
                                              ("Κυριακή", "την Κυριακή")]],
        "obj": ["μήλα", "βιβλία", "αυγά", "πορτοκάλια", "εισιτήρια", "καρέκλες", "μπουκάλια νερό", "μολύβια",
                "κάρτες", "ντομάτες", "κεριά"],
        "place": [_el_place("ο", ("σταθμός", "σταθμό"), "κλειστός"),
                  _el_place("η", ("βιβλιοθήκη", "βιβλιοθήκη"), "κλειστή"),
                  _el_place("το", ("μουσείο", "μουσείο"), "κλειστό"),
                  _el_place("ην", ("τράπεζα", "τράπεζα"), "κλειστή"),
                  _el_place("το", ("νοσοκομείο", "νοσοκομείο"), "κλειστό"),
                  _el_place("το", ("ταχυδρομείο", "ταχυδρομείο"), "κλειστό"),
                  _el_place("το", ("σχολείο", "σχολείο"), "κλειστό"),
                  _el_place("ο", ("φούρνος", "φούρνο"), "κλειστός"),
                  _el_place("το", ("φαρμακείο", "φαρμακείο"), "κλειστό"),
                  _el_place("το", ("σινεμά", "σινεμά"), "κλειστό")],
        "hotdrink": ["τσάι", "καφέ", "ζεστό γάλα", "ζεστή σοκολάτα"],
        "drink": ["τσάι", "καφέ", "γάλα", "χυμό πορτοκάλι", "νερό", "λεμονάδα"],
        "food": ["ψωμί", "τυρί", "ρύζι", "σούπα", "ψάρι", "κοτόπουλο", "μακαρόνια", "σαλάτα"],
        "weather": ["κρύο", "ζέστη", "καλό καιρό", "ψύχρα"],
        "color_n": ["κόκκινο", "μπλε", "πράσινο", "άσπρο", "μαύρο", "κίτρινο", "γκρι"],
    },
    "templates": [
        "{name_m.cap} αγόρασε {N:obj} από τη λαϊκή.",
        "{name_f.cap} αγόρασε {N:obj} για το πάρτι.",
        "Το τρένο για {city.gia} φεύγει στις {hour}.",
        "Θα βρεθούμε {day.on} μπροστά {place.se}.",
        "{place.closed} {day.on}.",
        "Το δωμάτιο κοστίζει {price} ευρώ τη βραδιά.",
        "{name_f.cap} γεννήθηκε {city.se} το {year}.",
        "{name_m.cap} μετακόμισε {city.se} το {year}.",
        "Πάρε με τηλέφωνο σε {minutes} λεπτά, σε παρακαλώ.",
        "Σήμερα {city.se} έχει {temp} βαθμούς.",
        "Σε αυτή την τάξη υπάρχουν {num} μαθητές.",
        "Το λεωφορείο {bus} πηγαίνει {place.se}.",
        "Θα ήθελα ένα φλιτζάνι {hotdrink}, παρακαλώ.",
        "{name_f.cap} πίνει {drink} κάθε πρωί.",
        "Σήμερα {city.se} κάνει {weather}.",
        "Το {color_n} ποδήλατό μου είναι μπροστά {place.se}.",
        "Πώς μπορώ να πάω {place.se};",
        "{name_m.cap} και {name_f.low} παίζουν τένις κάθε {day}.",
        "Για βραδινό φάγαμε {food} και {food2}.",
        "Η συνάντηση αρχίζει {day.on} στις {hour}.",
        "Το δωμάτιό μας στο ξενοδοχείο έχει τον αριθμό {room}.",
        "Αυτό το βιβλίο έχει {big} σελίδες.",
        "Το μουσείο άνοιξε το {year}.",
        "Περίμενα το λεωφορείο {minutes} λεπτά.",
        "{name_f.cap} τρέχει {num} χιλιόμετρα κάθε εβδομάδα.",
    ],
}


def _ru_city(prep, acc):
    return {"prep": prep, "acc": acc}


def _ru_place(closed, before, until):
    return {"closed": closed, "before": before, "until": until}


RU = {
    "code": "ru", "name": "Russian",
    # counted nouns: [form after 1, after 2-4, after 5-20], in the case the template needs
    "numbers": {"hour": (1, 12, 1), "minute": (2, 45, 1), "degree": (1, 35, 1), "student": (12, 35, 1),
                "page": (100, 500, 1), "km": (2, 40, 1), "rub": (900, 7500, 100), "obj": (2, 30, 1)},
    "vocab": {
        "name_m": ["Иван", "Алексей", "Дмитрий", "Сергей", "Андрей", "Михаил", "Николай", "Павел", "Олег",
                   "Максим"],
        "name_f": ["Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Екатерина",
                   "Юлия"],
        "city": [_ru_city("Москве", "Москву"), _ru_city("Санкт-Петербурге", "Санкт-Петербург"),
                 _ru_city("Новосибирске", "Новосибирск"), _ru_city("Казани", "Казань"),
                 _ru_city("Екатеринбурге", "Екатеринбург"), _ru_city("Самаре", "Самару"),
                 _ru_city("Омске", "Омск"), _ru_city("Сочи", "Сочи"), _ru_city("Берлине", "Берлин"),
                 _ru_city("Париже", "Париж"), _ru_city("Минске", "Минск"), _ru_city("Риме", "Рим")],
        "day": [{"on": o, "every": e} for o, e in [
            ("в понедельник", "по понедельникам"), ("во вторник", "по вторникам"), ("в среду", "по средам"),
            ("в четверг", "по четвергам"), ("в пятницу", "по пятницам"), ("в субботу", "по субботам"),
            ("в воскресенье", "по воскресеньям")]],
        "obj": [["яблоко", "яблока", "яблок"], ["книгу", "книги", "книг"], ["яйцо", "яйца", "яиц"],
                ["апельсин", "апельсина", "апельсинов"], ["билет", "билета", "билетов"],
                ["стул", "стула", "стульев"], ["бутылку воды", "бутылки воды", "бутылок воды"],
                ["карандаш", "карандаша", "карандашей"], ["открытку", "открытки", "открыток"],
                ["помидор", "помидора", "помидоров"], ["свечу", "свечи", "свечей"]],
        "hour": [["час", "часа", "часов"]],
        "minute": [["минуту", "минуты", "минут"]],
        "degree": [["градус", "градуса", "градусов"]],
        "student": [["ученик", "ученика", "учеников"]],
        "page": [["страница", "страницы", "страниц"]],
        "km": [["километр", "километра", "километров"]],
        "rub": [["рубль", "рубля", "рублей"]],
        "place": [_ru_place("Вокзал закрыт", "перед вокзалом", "до вокзала"),
                  _ru_place("Библиотека закрыта", "перед библиотекой", "до библиотеки"),
                  _ru_place("Музей закрыт", "перед музеем", "до музея"),
                  _ru_place("Банк закрыт", "перед банком", "до банка"),
                  _ru_place("Больница закрыта", "перед больницей", "до больницы"),
                  _ru_place("Почта закрыта", "перед почтой", "до почты"),
                  _ru_place("Школа закрыта", "перед школой", "до школы"),
                  _ru_place("Пекарня закрыта", "перед пекарней", "до пекарни"),
                  _ru_place("Аптека закрыта", "перед аптекой", "до аптеки"),
                  _ru_place("Кинотеатр закрыт", "перед кинотеатром", "до кинотеатра")],
        "hotdrink": ["чая", "кофе", "горячего молока", "какао", "горячего шоколада"],
        "drink": ["чай", "кофе", "молоко", "апельсиновый сок", "воду", "лимонад"],
        "food": ["хлеб", "сыр", "рис", "суп", "рыбу", "курицу", "макароны", "салат"],
        "weather": ["холодно", "тепло", "жарко", "солнечно", "ветрено", "пасмурно"],
        "color_m": ["красный", "синий", "зелёный", "белый", "чёрный", "жёлтый", "серый"],
    },
    "templates": [
        "{name_m} купил на рынке {N:obj}.",
        "{name_f} купила {N:obj} для праздника.",
        "Поезд в {city.acc} отправляется в {N:hour}.",
        "Давай встретимся {day.on} {place.before}.",
        "{place.closed} {day.every}.",
        "Номер стоит {N:rub} за ночь.",
        "{name_f} родилась в {city.prep} в {year} году.",
        "{name_m} переехал в {city.acc} в {year} году.",
        "Перезвони мне через {N:minute}, пожалуйста.",
        "Сегодня в {city.prep} {N:degree}.",
        "В этом классе {N:student}.",
        "Автобус номер {bus} идёт {place.until}.",
        "Я бы хотел чашку {hotdrink}, пожалуйста.",
        "{name_f} пьёт {drink} каждое утро.",
        "Сегодня в {city.prep} {weather}.",
        "Мой {color_m} велосипед стоит {place.before}.",
        "Как мне дойти {place.until}?",
        "{name_m} и {name_f} играют в теннис {day.every}.",
        "На ужин мы ели {food} и {food2}.",
        "Собрание начинается {day.on} в {N:hour}.",
        "Наша комната в гостинице под номером {room}.",
        "В этой книге {N:page}.",
        "Музей открылся в {year} году.",
        "Я ждал автобус {N:minute}.",
        "{name_f} пробегает {N:km} каждую неделю.",
    ],
}


def _hi_obj(plural, masculine):
    return {"pl": plural, "verb": "ख़रीदे" if masculine else "ख़रीदीं"}


def _hi_place(name, masculine):
    return {"_": name, "stays": "रहता" if masculine else "रहती"}


HI = {
    "code": "hi", "name": "Hindi",
    "vocab": {
        "name_m": ["राहुल", "अमित", "विजय", "सुनील", "अर्जुन", "रोहित", "संजय", "अनिल", "विकास", "मनोज"],
        "name_f": ["प्रिया", "अनीता", "सुनीता", "पूजा", "नेहा", "कविता", "रीना", "मीना", "आशा", "सीमा"],
        "city": ["दिल्ली", "मुंबई", "जयपुर", "लखनऊ", "पटना", "भोपाल", "कोलकाता", "चेन्नई", "पुणे", "आगरा", "वाराणसी",
                 "हैदराबाद"],
        "day": ["सोमवार", "मंगलवार", "बुधवार", "गुरुवार", "शुक्रवार", "शनिवार", "रविवार"],
        "obj": [_hi_obj("सेब", True), _hi_obj("किताबें", False), _hi_obj("अंडे", True), _hi_obj("संतरे", True),
                _hi_obj("टिकट", True), _hi_obj("कुर्सियाँ", False), _hi_obj("पानी की बोतलें", False),
                _hi_obj("पेंसिलें", False), _hi_obj("पोस्टकार्ड", True), _hi_obj("टमाटर", True),
                _hi_obj("मोमबत्तियाँ", False)],
        "place": [_hi_place("स्टेशन", True), _hi_place("पुस्तकालय", True), _hi_place("संग्रहालय", True),
                  _hi_place("बैंक", True), _hi_place("अस्पताल", True), _hi_place("डाकघर", True),
                  _hi_place("स्कूल", True), _hi_place("बेकरी", False), _hi_place("दवा की दुकान", False),
                  _hi_place("सिनेमाघर", True)],
        "hotdrink": ["चाय", "कॉफ़ी", "गरम दूध"],
        "drink": ["चाय", "कॉफ़ी", "दूध", "संतरे का रस", "पानी", "नींबू पानी"],
        "food": ["रोटी", "चावल", "दाल", "सब्ज़ी", "मछली", "पनीर", "सलाद", "खिचड़ी"],
        "weather": ["अच्छा", "ठंडा", "गरम", "सुहावना", "साफ़"],
        "color_f": ["लाल", "नीली", "हरी", "सफ़ेद", "काली", "पीली"],
    },
    "templates": [
        "{name_m} ने बाज़ार से {N:obj} {obj.verb}।",
        "{name_f} ने पार्टी के लिए {N:obj} {obj.verb}।",
        "{city} के लिए ट्रेन {hour} बजे निकलती है।",
        "हम {day} को {place} के सामने मिलेंगे।",
        "{place} {day} को बंद {place.stays} है।",
        "कमरे का किराया {price} रुपये प्रति रात है।",
        "{name_f} का जन्म {year} में {city} में हुआ था।",
        "{name_m} {year} में {city} चला गया।",
        "कृपया मुझे {minutes} मिनट बाद फ़ोन करना।",
        "आज {city} में {temp} डिग्री तापमान है।",
        "इस कक्षा में {num} छात्र हैं।",
        "बस नंबर {bus} {place} तक जाती है।",
        "मुझे एक कप {hotdrink} चाहिए।",
        "{name_f} हर सुबह {drink} पीती है।",
        "आज {city} में मौसम {weather} है।",
        "मेरी {color_f} साइकिल {place} के सामने खड़ी है।",
        "क्या आप मुझे {place} का रास्ता बता सकते हैं?",
        "{name_m} और {name_f} हर {day} टेनिस खेलते हैं।",
        "मुझे {food} और {food2} बहुत पसंद हैं।",
        "बैठक {day} को {hour} बजे शुरू होगी।",
        "होटल में हमारा कमरा नंबर {room} है।",
        "इस किताब में {big} पन्ने हैं।",
        "यह संग्रहालय {year} में खुला था।",
        "मैंने {minutes} मिनट तक बस का इंतज़ार किया।",
        "{name_f} हर हफ़्ते {num} किलोमीटर दौड़ती है।",
    ],
}


def _zh(hanzi, pinyin, mw=None):
    entry = {"h": hanzi, "p": pinyin}
    if mw:
        entry["mw_h"], entry["mw_p"] = mw
    return entry


GE, BEN, ZHANG, BA, PING, ZHI = ("个", "ge4"), ("本", "ben3"), ("张", "zhang1"), ("把", "ba3"), ("瓶", "ping2"), ("支", "zhi1")

ZH = {
    "code": "zh", "name": "Mandarin Chinese",
    "numbers": {"price": (150, 900, 10)},
    "vocab": {
        "name": [_zh("王芳", "wang2 fang1"), _zh("李明", "li3 ming2"), _zh("张伟", "zhang1 wei3"),
                 _zh("刘洋", "liu2 yang2"), _zh("陈静", "chen2 jing4"), _zh("杨帆", "yang2 fan1"),
                 _zh("赵磊", "zhao4 lei3"), _zh("黄丽", "huang2 li4"), _zh("周杰", "zhou1 jie2"),
                 _zh("吴敏", "wu2 min3"), _zh("孙强", "sun1 qiang2"), _zh("林红", "lin2 hong2")],
        "city": [_zh("北京", "bei3 jing1"), _zh("上海", "shang4 hai3"), _zh("广州", "guang3 zhou1"),
                 _zh("深圳", "shen1 zhen4"), _zh("南京", "nan2 jing1"), _zh("杭州", "hang2 zhou1"),
                 _zh("成都", "cheng2 du1"), _zh("西安", "xi1 an1"), _zh("武汉", "wu3 han4"),
                 _zh("天津", "tian1 jin1"), _zh("重庆", "chong2 qing4"), _zh("青岛", "qing1 dao3")],
        "day": [_zh("星期" + h, "xing1 qi1 " + p) for h, p in [("一", "yi1"), ("二", "er4"), ("三", "san1"),
                                                             ("四", "si4"), ("五", "wu3"), ("六", "liu4"),
                                                             ("天", "tian1")]],
        "obj": [_zh("苹果", "ping2 guo3", GE), _zh("书", "shu1", BEN), _zh("鸡蛋", "ji1 dan4", GE),
                _zh("橙子", "cheng2 zi5", GE), _zh("票", "piao4", ZHANG), _zh("椅子", "yi3 zi5", BA),
                _zh("水", "shui3", PING), _zh("铅笔", "qian1 bi3", ZHI), _zh("明信片", "ming2 xin4 pian4", ZHANG),
                _zh("西红柿", "xi1 hong2 shi4", GE), _zh("蜡烛", "la4 zhu2", ZHI)],
        "place": [_zh("火车站", "huo3 che1 zhan4"), _zh("图书馆", "tu2 shu1 guan3"),
                  _zh("博物馆", "bo2 wu4 guan3"), _zh("银行", "yin2 hang2"), _zh("医院", "yi1 yuan4"),
                  _zh("邮局", "you2 ju2"), _zh("学校", "xue2 xiao4"), _zh("面包店", "mian4 bao1 dian4"),
                  _zh("药店", "yao4 dian4"), _zh("电影院", "dian4 ying3 yuan4")],
        "drink": [_zh("茶", "cha2"), _zh("咖啡", "ka1 fei1"), _zh("牛奶", "niu2 nai3"),
                  _zh("热巧克力", "re4 qiao3 ke4 li4"), _zh("橙汁", "cheng2 zhi1"), _zh("柠檬水", "ning2 meng2 shui3")],
        "food": [_zh("米饭", "mi3 fan4"), _zh("面条", "mian4 tiao2"), _zh("饺子", "jiao3 zi5"), _zh("鱼", "yu2"),
                 _zh("鸡肉", "ji1 rou4"), _zh("豆腐", "dou4 fu5"), _zh("青菜", "qing1 cai4"), _zh("汤", "tang1")],
        "weather": [_zh("好", "hao3"), _zh("冷", "leng3"), _zh("热", "re4"), _zh("暖和", "nuan3 huo5"),
                    _zh("凉快", "liang2 kuai5")],
        "color": [_zh("红色", "hong2 se4"), _zh("蓝色", "lan2 se4"), _zh("绿色", "lv4 se4"),
                  _zh("白色", "bai2 se4"), _zh("黑色", "hei1 se4"), _zh("黄色", "huang2 se4")],
    },
    "templates": [
        ("{name}在市场上买了{N:obj}。", "{name} zai4 shi4 chang3 shang4 mai3 le5 {N:obj}."),
        ("{name}为聚会买了{N:obj}。", "{name} wei4 ju4 hui4 mai3 le5 {N:obj}."),
        ("去{city}的火车{hour}点出发。", "qu4 {city} de5 huo3 che1 {hour} dian3 chu1 fa1."),
        ("我们{day}在{place}门口见面。", "wo3 men5 {day} zai4 {place} men2 kou3 jian4 mian4."),
        ("{place}{day}不开门。", "{place} {day} bu4 kai1 men2."),
        ("这个房间每晚{price}元。", "zhe4 ge5 fang2 jian1 mei3 wan3 {price} yuan2."),
        ("{name}{year}年出生在{city}。", "{name} {year} nian2 chu1 sheng1 zai4 {city}."),
        ("{name}{year}年搬到了{city}。", "{name} {year} nian2 ban1 dao4 le5 {city}."),
        ("请你{minutes}分钟以后给我回电话。", "qing3 ni3 {minutes} fen1 zhong1 yi3 hou4 gei3 wo3 hui2 dian4 hua4."),
        ("今天{city}的气温是{temp}度。", "jin1 tian1 {city} de5 qi4 wen1 shi4 {temp} du4."),
        ("这个班有{num}个学生。", "zhe4 ge5 ban1 you3 {num} ge4 xue2 sheng5."),
        ("{bus}路公交车开往{place}。", "{bus} lu4 gong1 jiao1 che1 kai1 wang3 {place}."),
        ("我想要一杯{drink}，谢谢。", "wo3 xiang3 yao4 yi4 bei1 {drink}, xie4 xie5."),
        ("{name}每天早上喝{drink}。", "{name} mei3 tian1 zao3 shang5 he1 {drink}."),
        ("今天{city}的天气很{weather}。", "jin1 tian1 {city} de5 tian1 qi4 hen3 {weather}."),
        ("我的{color}自行车在{place}旁边。", "wo3 de5 {color} zi4 xing2 che1 zai4 {place} pang2 bian1."),
        ("请问去{place}怎么走？", "qing3 wen4 qu4 {place} zen3 me5 zou3?"),
        ("{name}和{name2}每个{day}打网球。", "{name} he2 {name2} mei3 ge4 {day} da3 wang3 qiu2."),
        ("我们晚饭吃了{food}和{food2}。", "wo3 men5 wan3 fan4 chi1 le5 {food} he2 {food2}."),
        ("会议{day}{hour}点开始。", "hui4 yi4 {day} {hour} dian3 kai1 shi3."),
        ("我们的酒店房间是{room}号。", "wo3 men5 de5 jiu3 dian4 fang2 jian1 shi4 {room} hao4."),
        ("这本书有{big}页。", "zhe4 ben3 shu1 you3 {big} ye4."),
        ("这个博物馆是{year}年开的。", "zhe4 ge5 bo2 wu4 guan3 shi4 {year} nian2 kai1 de5."),
        ("我等公交车等了{minutes}分钟。", "wo3 deng3 gong1 jiao1 che1 deng3 le5 {minutes} fen1 zhong1."),
        ("{name}每个星期跑{num}公里。", "{name} mei3 ge4 xing1 qi1 pao3 {num} gong1 li3."),
    ],
}

LANGUAGES = [EN, DE, FR, ES, IT, PT, RU, HI, ZH, EL]
