"""The spoken scripts of the six 2020 demo episodes, read by make_podcast_demo_audio.py.

Each episode is an interview between the host and a guest, in chapters of lines. The
people are fictional, and so are the guests the episode titles name; the subjects are those
of KIS's 2020 podcast (jaarbericht 2020). No real person's words are invented.
"""

from __future__ import annotations

from dataclasses import dataclass

HOST = "Lotte van Dam"


@dataclass(frozen=True)
class Chapter:
    """A titled part of an episode: (speaker, sentence) lines, speaker "host" or "guest"."""

    title: str
    lines: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Script:
    """One episode: the guest's name and description, and its chapters."""

    guest: str
    guest_description: str
    chapters: tuple[Chapter, ...]


def _h(text: str) -> tuple[str, str]:
    return ("host", text)


def _g(text: str) -> tuple[str, str]:
    return ("guest", text)


# fmt: off
SCRIPTS: dict[int, Script] = {
    1: Script(
        "Karim Bouzid",
        "beleidsadviseur integratie bij een grote gemeente",
        (
            Chapter("Welkom", (
                _h("Welkom bij Denkers en doeners, de podcast van het Kennisplatform Integratie en Samenleving."),
                _h("Ik ben Lotte van Dam. In deze eerste aflevering gaat het over samenleven in een superdiverse stad."),
                _h("Aan tafel zit Karim Bouzid, beleidsadviseur integratie. Welkom, Karim."),
                _g("Dank je wel. Leuk om hier te zijn."),
            )),
            Chapter("Een stad zonder meerderheid", (
                _h("In Rotterdam heeft inmiddels meer dan de helft van de inwoners een migratieachtergrond. Wat betekent dat?"),
                _g("Dat er geen vanzelfsprekende meerderheid meer is. Iedereen is ergens een minderheid."),
                _g("Dat vraagt iets van alle bewoners, niet alleen van nieuwkomers."),
                _h("Dus integratie is niet langer iets van één groep?"),
                _g("Precies. Het gaat om meedoen: werk, school, de buurt. En om elkaar kunnen aanspreken."),
            )),
            Chapter("Wat een gemeente kan doen", (
                _h("Wat kan een gemeente dan concreet doen?"),
                _g("Zorgen dat mensen snel de taal leren, en tegelijk aan het werk kunnen."),
                _g("En investeren in plekken waar buren elkaar ontmoeten, zoals een buurthuis of een sportclub."),
                _h("Werkt dat ook, zulke ontmoetingen?"),
                _g("Alleen als mensen samen iets doen. Een kop koffie is mooi, maar een gezamenlijk doel verbindt meer."),
            )),
            Chapter("Tot slot", (
                _h("Wat is je advies aan andere gemeenten?"),
                _g("Praat niet over bewoners, maar met ze. Dan hoor je wat er echt speelt."),
                _h("Karim Bouzid, dank je wel. Volgende maand praten we over shame sexting. Tot dan!"),
            )),
        ),
    ),
    2: Script(
        "Sharon Pinas",
        "jongerenwerker",
        (
            Chapter("Welkom", (
                _h("Welkom bij Denkers en doeners. Ik ben Lotte van Dam."),
                _h("Vandaag gaat het over shame sexting: het rondsturen van een naaktfoto om iemand te beschamen."),
                _h("Ik spreek met jongerenwerker Sharon Pinas, die elke week met tienermeiden werkt."),
                _g("Hoi Lotte, fijn dat ik er ben."),
            )),
            Chapter("Wat is shame sexting?", (
                _h("Wat gebeurt er precies?"),
                _g("Een meisje stuurt een foto naar iemand die ze vertrouwt. Later gaat die foto rond in groepsapps."),
                _g("Soms wordt er zelfs een account aangemaakt om meiden openlijk te exposen."),
                _h("En wat doet dat met zo'n meisje?"),
                _g("Ze schaamt zich enorm. Bij meiden met een migratieachtergrond speelt vaak ook de eer van de familie mee."),
                _g("Ze durven het thuis dan niet te vertellen, en staan er alleen voor."),
            )),
            Chapter("Wat de meiden zelf zeggen", (
                _h("Wat vertellen de meiden zelf?"),
                _g("Dat de schuld altijd bij het meisje wordt gelegd, nooit bij degene die de foto doorstuurt."),
                _g("Ze willen vooral iemand die luistert, zonder meteen te oordelen."),
            )),
            Chapter("Wat helpt", (
                _h("Wat kunnen professionals en ouders doen?"),
                _g("Het gesprek aangaan, voordat er iets gebeurt. Over vriendschap, grenzen en vertrouwen."),
                _g("En als het toch misgaat: helpen om de beelden offline te halen, en aangifte te doen."),
                _h("Sharon Pinas, dank je wel voor dit openhartige gesprek."),
            )),
        ),
    ),
    3: Script(
        "Mustafa Aydin",
        "opvoedondersteuner bij een wijkteam",
        (
            Chapter("Welkom", (
                _h("Welkom bij Denkers en doeners. Ik ben Lotte van Dam."),
                _h("Deze aflevering gaat over vaders, en hun rol in de opvoeding."),
                _h("Mijn gast is Mustafa Aydin, opvoedondersteuner bij een wijkteam, en zelf vader van drie kinderen."),
                _g("Goedemiddag, dank voor de uitnodiging."),
            )),
            Chapter("Vaders buiten beeld", (
                _h("Opvoedondersteuning is vaak een zaak van moeders. Hoe komt dat?"),
                _g("Activiteiten zijn vaak overdag, en de folders richten zich op moeders."),
                _g("Vaders met een migratieachtergrond voelen zich dan niet aangesproken."),
                _h("Terwijl ze wel betrokken willen zijn?"),
                _g("Zeker. Maar ze zijn soms opgegroeid met een ander beeld van wat een vader doet."),
            )),
            Chapter("Vaders bereiken", (
                _h("Hoe bereik je ze dan wel?"),
                _g("Via plekken waar ze al komen: de moskee, de voetbalclub, het werk."),
                _g("En met een vader die zelf het gesprek leidt. Dat praat makkelijker."),
                _h("Waar gaan die gesprekken over?"),
                _g("Over grenzen stellen zonder te schreeuwen, over school, over sociale media. Heel praktisch."),
            )),
            Chapter("Tot slot", (
                _h("Wat wil je professionals meegeven?"),
                _g("Nodig vaders persoonlijk uit, en neem ze serieus als opvoeder."),
                _h("Mustafa Aydin, hartelijk dank."),
            )),
        ),
    ),
    4: Script(
        "Marieke Jansen",
        "onderzoeker inburgering",
        (
            Chapter("Welkom", (
                _h("Welkom bij Denkers en doeners. Ik ben Lotte van Dam."),
                _h("Vandaag: de nieuwe Wet inburgering, die in 2022 ingaat."),
                _h("Ik praat erover met Marieke Jansen, die al jaren onderzoek doet naar inburgering."),
                _g("Hallo Lotte, goed om hier te zijn."),
            )),
            Chapter("Wat verandert er", (
                _h("Wat is het belangrijkste verschil met het huidige stelsel?"),
                _g("De regie komt weer bij de gemeente te liggen. Inburgeraars regelen het niet meer alleen, met een lening."),
                _g("Elke statushouder krijgt een brede intake en een persoonlijk plan."),
                _h("Zijn er verschillende routes?"),
                _g("Ja, drie. Een route naar taal op niveau B1, een onderwijsroute voor jongeren, en een route naar zelfredzaamheid."),
            )),
            Chapter("Wat werkt", (
                _h("Wat weten we uit onderzoek over wat werkt?"),
                _g("Dat je taal en werk het beste tegelijk aanpakt, en niet na elkaar."),
                _g("En dat persoonlijke begeleiding het verschil maakt, zeker in het eerste jaar."),
                _h("Dat kost wel geld."),
                _g("Zeker. Veel hangt af van het budget, en van hoe een gemeente de wet uitvoert."),
            )),
            Chapter("Tot slot", (
                _h("Wat is jouw advies aan gemeenten?"),
                _g("Begin nu al, en betrek statushouders zelf bij het ontwerp van de aanpak."),
                _h("Marieke Jansen, dank je wel."),
            )),
        ),
    ),
    5: Script(
        "Esther Koster",
        "opbouwwerker in een diverse wijk",
        (
            Chapter("Welkom", (
                _h("Welkom bij Denkers en doeners. Ik ben Lotte van Dam."),
                _h("In deze aflevering: beeldvorming en buurtbinding. Hoe ontstaan beelden over groepen, en hoe verbind je een buurt?"),
                _h("Ik spreek met Esther Koster, opbouwwerker in een wijk met bewoners uit meer dan veertig landen."),
                _g("Dank je wel, Lotte."),
            )),
            Chapter("Hoe beelden ontstaan", (
                _h("Waar komen de beelden over groepen vandaan?"),
                _g("Vaak uit het nieuws, of uit één vervelende ervaring die iedereen doorvertelt."),
                _g("Als je elkaar niet kent, vult je hoofd de rest in."),
                _h("En dat zie je in de wijk?"),
                _g("Ja. Oude bewoners voelen zich soms vreemdeling in hun eigen straat, nieuwe bewoners voelen zich niet welkom."),
            )),
            Chapter("Buurtbinding in de praktijk", (
                _h("Wat doe je daar als opbouwwerker aan?"),
                _g("We zoeken gedeelde zorgen: een onveilige oversteek, zwerfafval, een speeltuin die dicht moet."),
                _g("Als bewoners daar samen aan werken, leren ze elkaar vanzelf kennen."),
                _h("Dus niet praten over diversiteit, maar samen iets doen?"),
                _g("Allebei. Maar het gesprek gaat beter als je elkaar al een keer geholpen hebt."),
            )),
            Chapter("Tot slot", (
                _h("Wat is je tip voor professionals?"),
                _g("Zoek de sleutelfiguren in de wijk, en geef bewoners zelf de regie."),
                _h("Esther Koster, hartelijk dank."),
            )),
        ),
    ),
    6: Script(
        "Nadia Haddou",
        "trainer en ervaringsdeskundige",
        (
            Chapter("Welkom", (
                _h("Welkom bij de laatste aflevering van dit jaar van Denkers en doeners. Ik ben Lotte van Dam."),
                _h("We praten over gendergelijkheid, seksualiteit, feminisme en islam."),
                _h("Mijn gast is Nadia Haddou, trainer en ervaringsdeskundige. Welkom."),
                _g("Dank je wel, ik verheug me erop."),
            )),
            Chapter("Feminisme en geloof", (
                _h("Botsen feminisme en islam, zoals vaak wordt gezegd?"),
                _g("Dat beeld hoor ik vaak, maar veel moslima's zien hun geloof juist als bron van kracht."),
                _g("Ze kiezen zelf hoe ze leven, en willen niet dat anderen dat voor hen bepalen."),
                _h("Van twee kanten dus?"),
                _g("Ja. Zowel uit de eigen gemeenschap als uit de rest van de samenleving.")
            )),
            Chapter("Over seksualiteit praten", (
                _h("Hoe open kun je over seksualiteit praten?"),
                _g("Dat is in veel families nog lastig. Jongeren zoeken dan antwoorden online."),
                _g("Daarom zijn veilige gesprekken zo belangrijk, op school, in het jongerenwerk en thuis."),
                _h("Wat maakt zo'n gesprek veilig?"),
                _g("Respect voor iemands achtergrond, en vertrouwen dat jongeren hun eigen keuzes kunnen maken."),
            )),
            Chapter("Tot slot", (
                _h("Wat wil je de luisteraars meegeven?"),
                _g("Luister naar vrouwen zelf, in plaats van over hen te praten."),
                _h("Nadia Haddou, dank je wel. En luisteraars: dank voor het luisteren dit jaar."),
            )),
        ),
    ),
}
# fmt: on
