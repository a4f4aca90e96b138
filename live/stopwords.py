"""The function words of each shipped language, left out when questions are compared
(live/similar.py): articles, pronouns, prepositions, conjunctions, common auxiliaries and
question words, lowercase. Short on purpose: words that carry a question's meaning stay."""

from __future__ import annotations

STOP_WORDS: dict[str, frozenset[str]] = {
    code: frozenset(words.split())
    for code, words in {
        "en": """a an the is are was were be been being am do does did done of in on at to for
            from by with and or but if it its this that these those there here what when where
            who whom whose which why how can could will would should may might must shall i we
            you they he she my our your their me us them as about into than then so not no yes
            any all some also just very has have had get got please""",
        "fr": """le la les l un une des du de d au aux et ou mais si ne pas plus que qu qui quoi
            dont où quand comment pourquoi quel quelle quels quelles ce cet cette ces c ça cela
            est sont était être été avoir a ont avait fait faire peut peuvent pourrait il elle
            ils elles on nous vous je j me m te t se s lui leur leurs mon ma mes notre nos votre
            vos son sa ses en y dans sur sous pour par avec sans chez entre vers aussi très bien
            tout tous toute toutes""",
        "de": """der die das den dem des ein eine einer eines einem einen und oder aber wenn
            ob dass nicht kein keine keinen ist sind war waren sein gewesen hat haben hatte
            wird werden wurde kann können könnte soll sollen muss müssen ich wir sie er es ihr
            du man mich uns ihnen ihm ihn mein meine unser unsere ihre ihr sein seine in im an
            am auf aus bei mit nach von vom zu zum zur für über unter vor durch wie was wer wo
            wann warum welche welcher welches wieso auch noch nur sehr schon da dort hier""",
        "es": """el la los las lo un una unos unas de del al y e o u pero si no ni que qué quien
            quién quienes cual cuál cuales cuando cuándo como cómo donde dónde por porque para
            con sin sobre entre en es son era ser fue sido está están estar ha han haber hay
            puede pueden podría se me te le les nos os yo tú él ella ellos ellas usted ustedes
            nosotros mi mis su sus nuestro nuestra nuestros nuestras este esta estos estas ese
            esa esos esas también muy más ya""",
        "it": """il lo la i gli le un uno una di del dello della dei degli delle a al allo
            alla ai agli alle da dal dalla dai in nel nella nei nelle su sul sulla con per tra
            fra e ed o ma se non che chi cosa quale quali quando come dove perché è sono era
            essere stato ha hanno avere può possono potrebbe si ci mi ti vi ne io noi voi lei
            lui loro mio mia nostro nostra vostro vostra suo sua questo questa questi queste
            quello quella anche molto più già l un' c""",
        "ca": """el la els les l un una uns unes de d del dels al als a en i o però si no que
            què qui quin quina quins quines quan com on per perquè amb sense sobre entre és són
            era ser estat està estan estar ha han haver hi pot poden podria es em et li ens us
            jo tu ell ella ells elles vostè vostès nosaltres vosaltres meu meva nostre nostra
            seu seva aquest aquesta aquests aquestes aquell aquella també molt més ja pel pels""",
        "nl": """de het een en of maar als dan dat die dit deze wat wie waar wanneer hoe waarom
            welke welk niet geen is zijn was waren ben bent wordt worden werd heeft hebben had
            kan kunnen kon zal zullen moet moeten mag ik wij we jij je u hij zij ze het mijn
            ons onze uw hun haar zijn van in op aan met voor door bij naar over uit tot om
            onder ook nog al zeer heel er hier daar""",
        "pl": """i a w we z ze na do od o u za po przez przy dla bez pod nad przed między że
            czy nie tak jak jaki jaka jakie który która które kto co gdzie kiedy dlaczego
            czemu ile jest są był była było były być będzie będą ma mają mieć można może mogą
            się mi mnie ja ty on ona ono my wy oni one pan pani państwo nas nam nasz nasza
            nasze wasz wasza jego jej ich ten ta to te tego tej tym też także bardzo już jeszcze
            oraz lub albo ale jednak""",
        "pt": """o a os as um uma uns umas de do da dos das em no na nos nas ao aos à às por
            pelo pela para com sem sobre entre e ou mas se não que quem qual quais quando como
            onde porque porquê é são era ser foi sido está estão estar tem têm ter há pode
            podem poderia me te lhe lhes nos eu tu ele ela eles elas você vocês nós meu minha
            nosso nossa seu sua este esta estes estas esse essa isso isto também muito mais já""",
        "el": """ο η το οι τα του της των τον την ένας μια μία ένα ενός και ή αλλά αν δεν μην
            όχι ότι πως πώς που πού ποιος ποια ποιο ποιοι ποιες ποιά τι πότε γιατί είναι ήταν
            είμαι είμαστε είστε έχει έχουν είχε θα να μπορεί μπορούν σε στο στη στην στον στα
            στους στις από με για προς χωρίς κατά μετά πριν εγώ εμείς εσείς αυτός αυτή αυτό
            αυτοί αυτές αυτά μου σου του μας σας τους επίσης πολύ πιο ήδη""",
    }.items()
}


def guess_language(words: list[str], hint: str = "en") -> str:
    """The language whose function words ``words`` use most; ``hint`` (the page's language)
    unless another clearly uses more (a German question typed on an English page)."""
    counts = {code: sum(w in stop for w in words) for code, stop in STOP_WORDS.items()}
    best = max(counts, key=lambda code: counts[code])
    if hint in counts and counts[hint] >= counts[best]:
        return hint
    return best if counts[best] > 0 else (hint if hint in STOP_WORDS else "en")
